// Placeholder: replaced by the sampler benchmark.
export async function run(_args: string[]): Promise<void> {
  throw new Error('not built yet')
}
