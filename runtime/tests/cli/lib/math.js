export const here = import.meta.url;
export function add(a, b) {
  return a + b;
}
