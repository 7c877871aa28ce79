// A unified diff (what `diff -u` prints and `patch` applies) of two texts, so
// the etcd.yaml edit can be read before it is made. Lines are matched by a
// longest common subsequence after trimming the common head and tail: the
// manifests are a few hundred lines, so the quadratic table stays small.

export interface DiffOptions {
  /** Names on the --- and +++ lines. */
  from: string;
  to: string;
  /** Unchanged lines shown around each change (diff -u's default is 3). */
  context?: number;
}

type Op = { kind: ' ' | '-' | '+'; line: string };

/** Splits into lines that keep their terminator, so a missing final newline stays visible. */
function lines(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

function editScript(a: string[], b: string[]): Op[] {
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (
    tail < a.length - head &&
    tail < b.length - head &&
    a[a.length - 1 - tail] === b[b.length - 1 - tail]
  )
    tail++;
  const x = a.slice(head, a.length - tail);
  const y = b.slice(head, b.length - tail);
  // lcs[i][j]: length of the longest common subsequence of x[i..] and y[j..].
  const lcs = Array.from({ length: x.length + 1 }, () => new Uint32Array(y.length + 1));
  for (let i = x.length - 1; i >= 0; i--) {
    for (let j = y.length - 1; j >= 0; j--) {
      lcs[i]![j] = x[i] === y[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
    }
  }
  const ops: Op[] = a.slice(0, head).map((line) => ({ kind: ' ', line }));
  let i = 0;
  let j = 0;
  while (i < x.length || j < y.length) {
    if (i < x.length && j < y.length && x[i] === y[j]) {
      ops.push({ kind: ' ', line: x[i++]! });
      j++;
    } else if (j === y.length || (i < x.length && lcs[i + 1]![j]! >= lcs[i]![j + 1]!)) {
      // On a tie, removals come first: diff -u shows a change as - lines, then + lines.
      ops.push({ kind: '-', line: x[i++]! });
    } else {
      ops.push({ kind: '+', line: y[j++]! });
    }
  }
  for (const line of a.slice(a.length - tail)) ops.push({ kind: ' ', line });
  return ops;
}

function range(start: number, count: number): string {
  // diff -u names an empty range by the line before it.
  if (count === 0) return `${start - 1},0`;
  return count === 1 ? `${start}` : `${start},${count}`;
}

function show(op: Op): string {
  return op.line.endsWith('\n')
    ? `${op.kind}${op.line}`
    : `${op.kind}${op.line}\n\\ No newline at end of file\n`;
}

/** The unified diff from `before` to `after`; "" when they are equal. */
export function unifiedDiff(before: string, after: string, options: DiffOptions): string {
  if (before === after) return '';
  const context = options.context ?? 3;
  const ops = editScript(lines(before), lines(after));
  const changed = ops.flatMap((op, index) => (op.kind === ' ' ? [] : [index]));
  // Group changes whose context would touch or overlap into one hunk.
  const hunks: [number, number][] = [];
  for (const index of changed) {
    const last = hunks.at(-1);
    if (last && index - last[1] <= 2 * context + 1) last[1] = index;
    else hunks.push([index, index]);
  }
  let out = `--- ${options.from}\n+++ ${options.to}\n`;
  for (const [first, last] of hunks) {
    const start = Math.max(0, first - context);
    const end = Math.min(ops.length - 1, last + context);
    // Line numbers where the hunk starts in each file: count what came before it.
    let oldLine = 1;
    let newLine = 1;
    for (const op of ops.slice(0, start)) {
      if (op.kind !== '+') oldLine++;
      if (op.kind !== '-') newLine++;
    }
    const body = ops.slice(start, end + 1);
    const oldCount = body.filter((op) => op.kind !== '+').length;
    const newCount = body.filter((op) => op.kind !== '-').length;
    out += `@@ -${range(oldLine, oldCount)} +${range(newLine, newCount)} @@\n`;
    out += body.map(show).join('');
  }
  return out;
}
