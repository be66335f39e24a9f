/** 10300 → "10,300" (no locale data: the workflow sandbox must not depend on the host's ICU). */
export function formatCount(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}
