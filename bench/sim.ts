// Placeholder: replaced by the sim benchmark.
export async function run(_args: string[]): Promise<void> {
  throw new Error('not built yet')
}
