export interface RunOptions {
  readonly quick: boolean;
  readonly nproc: number;
  readonly quiet: boolean;
}

export interface Row {
  case: string;
  figure: number;
  unit: string;
  reference: number;
  referenceLabel: string;
  ratio: number;
  goal: string;
  notes: string;
}

const fmt = (n: number) => (Number.isNaN(n) ? '-' : n >= 100 ? n.toFixed(0) : n.toFixed(2));

export function table(rows: Row[]): string {
  const head = '| case | figure | reference | ratio | goal | notes |\n|---|---|---|---|---|---|';
  const body = rows.map(
    (r) =>
      `| ${r.case} | ${fmt(r.figure)} ${r.unit} | ${fmt(r.reference)} ${Number.isNaN(r.reference) ? '' : r.referenceLabel} | ${fmt(r.ratio)} | ${r.goal} | ${r.notes} |`,
  );
  return [head, ...body].join('\n');
}
