// Replays recorded D1 round trips through the local runtime's D1 (Miniflare: workerd's
// SQLite with D1's own row counters) and prints what D1's result meta says of each.
//
//   node bench/d1-meter.mjs PLAN.json > RESULT.json
//
// PLAN: {"databases": [{"setup": ["SQL", ...],
//                       "steps": [{"label": "...", "batch": true,
//                                  "statements": [{"sql": "...", "params": [...]}]}]}]}
// RESULT: one array per database, one object per step: the sums of the statements'
// meta.rows_read, meta.rows_written, meta.changes and meta.duration, and size_after.
// Every database is a fresh, empty D1 database; nothing is persisted.

import { readFileSync } from "node:fs";
import { Miniflare } from "miniflare";

const plan = JSON.parse(readFileSync(process.argv[2], "utf8"));
const bindings = Object.fromEntries(plan.databases.map((_, index) => [`DB${index}`, `bench-${index}`]));
const mf = new Miniflare({
  modules: true,
  script: "export default { fetch() { return new Response('meter'); } };",
  d1Databases: bindings,
  host: "127.0.0.1",
});

const output = [];
try {
  for (const [index, database] of plan.databases.entries()) {
    const db = await mf.getD1Database(`DB${index}`);
    for (const sql of database.setup) {
      await db.prepare(sql).run();
    }
    const steps = [];
    for (const step of database.steps) {
      const prepared = step.statements.map((statement) => db.prepare(statement.sql).bind(...statement.params));
      const totals = { label: step.label, rows_read: 0, rows_written: 0, changes: 0, duration_ms: 0, size_after: 0, error: null };
      try {
        const results = step.batch ? await db.batch(prepared) : [await prepared[0].all()];
        for (const result of results) {
          totals.rows_read += result.meta.rows_read ?? 0;
          totals.rows_written += result.meta.rows_written ?? 0;
          totals.changes += result.meta.changes ?? 0;
          totals.duration_ms += result.meta.duration ?? 0;
          totals.size_after = result.meta.size_after ?? totals.size_after;
        }
      } catch (error) {
        totals.error = String(error && error.message ? error.message : error);
      }
      steps.push(totals);
    }
    output.push(steps);
  }
} finally {
  await mf.dispose();
}
process.stdout.write(JSON.stringify(output));
