// Placeholder: replaced by the workload benchmark.
export async function run(_args: string[]): Promise<void> {
  throw new Error('not built yet')
}
