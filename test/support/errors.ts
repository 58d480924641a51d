/** The catalogue code a synchronous call fails with ('thrown' for a non-catalogue error), or undefined. */
export function errorCode(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return (e as { code?: string }).code ?? 'thrown';
  }
  return undefined;
}
