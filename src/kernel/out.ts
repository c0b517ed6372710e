// An out-parameter: what C passes as `unsigned long *pfn` is `{ v }` here (*pfn == pfn.v).
export interface Out {
  v: number;
}
export const out = (): Out => ({ v: 0 });
