// Times each statement of a migration on the local runtime's D1 (Miniflare: workerd's
// SQLite, persisted to disk as `wrangler dev --local` keeps it), against an archive built
// with the migrations before it and filled with a given number of plays.
//
//   node scripts/measure-migration.mjs [PLAYS] [MIGRATION]   (defaults: 2000000, 0007_compact.sql)
//
// D1 runs each statement for at most 30 s: this says how close each one comes. Prints a
// Markdown table and the totals; exits non-zero if a statement fails or the plays are not
// all there afterwards.

import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Miniflare } from "miniflare";

const plays = Number(process.argv[2] ?? 2_000_000);
const target = process.argv[3] ?? "0007_compact.sql";
const root = new URL("..", import.meta.url).pathname;
const migrationsDir = join(root, "migrations");

/// Splits a migration into statements: comments dropped, `;` outside quotes ends one,
/// except inside a trigger's BEGIN … END.
function splitSql(text) {
  const statements = [];
  let current = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "'") {
      quoted = !quoted;
      current += c;
    } else if (!quoted && c === "-" && text[i + 1] === "-") {
      while (i < text.length && text[i] !== "\n") i++;
      current += "\n";
    } else if (!quoted && c === ";") {
      const trimmed = current.trim();
      if (/^CREATE\s+TRIGGER/i.test(trimmed) && !/\bEND$/i.test(trimmed)) {
        current += c;
        continue;
      }
      if (trimmed) statements.push(trimmed);
      current = "";
    } else {
      current += c;
    }
  }
  if (current.trim()) statements.push(current.trim());
  return statements;
}

const users = 200;
const tracks = Math.max(1000, Math.floor(plays / 20));
const albums = Math.max(100, Math.floor(tracks / 5));
const artists = Math.max(100, Math.floor(tracks * 0.3));
const contexts = 5000;
const range = (n) => `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ${n - 1})`;

// An archive as the version before the migration keeps it: Spotify-like ids, covers on
// Spotify's image host, 70 % of plays from a context, one in ten imported.
const fill = [
  `${range(users)} INSERT INTO users (id, spotify_id, display_name, authorized_at, created_at, updated_at, next_due_at)
   SELECT 'user-' || i, 'sp-' || i, 'User ' || i, 0, 0, 0, 0 FROM n`,
  `${range(artists)} INSERT INTO artists (id, name, uri, updated_at)
   SELECT printf('ar%020d', i), 'Artist ' || i, 'spotify:artist:' || printf('ar%020d', i), 0 FROM n`,
  `${range(albums)} INSERT INTO albums (id, name, uri, image_url, release_date, updated_at)
   SELECT printf('al%020d', i), 'Album ' || i, 'spotify:album:' || printf('al%020d', i),
          'https://i.scdn.co/image/ab67616d00001e02' || lower(hex(randomblob(12))), '2020-01-01', 0 FROM n`,
  `${range(tracks)} INSERT INTO tracks (id, name, uri, duration_ms, album_id, is_local, explicit, updated_at)
   SELECT printf('tr%020d', i), 'Track ' || i, 'spotify:track:' || printf('tr%020d', i), 180000 + i % 60000,
          printf('al%020d', i % ${albums}), 0, i % 7 = 0, 0 FROM n`,
  `INSERT INTO track_artists (track_id, artist_id, position)
   SELECT id, printf('ar%020d', rowid % ${artists}), 0 FROM tracks`,
  `INSERT INTO track_artists (track_id, artist_id, position)
   SELECT id, printf('ar%020d', (rowid * 7 + 1) % ${artists}), 1 FROM tracks WHERE rowid % 2 = 0 AND (rowid * 7 + 1) % ${artists} <> rowid % ${artists}`,
  `${range(plays)} INSERT INTO play_events (user_id, track_id, played_at, context_uri, source, archived_at, kind, ms_played, skipped)
   SELECT 'user-' || (i % ${users}), printf('tr%020d', (i * 7919) % ${tracks}), 1700000000000 + i * 900,
          CASE WHEN i % 10 < 3 THEN NULL ELSE 'spotify:playlist:' || printf('pl%020d', i % ${contexts}) END,
          CASE WHEN i % 10 = 9 THEN 'import' ELSE 'poll' END, 1700000000000 + i * 900 + 60000, 'track',
          CASE WHEN i % 10 = 9 THEN 30000 + i % 150000 END, CASE WHEN i % 10 = 9 THEN i % 3 = 0 END
     FROM n`,
];

const files = readdirSync(migrationsDir).filter((name) => name.endsWith(".sql")).sort();
const before = files.filter((name) => name < target);
if (!files.includes(target)) {
  console.error(`no migration ${target} in migrations/`);
  process.exit(2);
}

const persist = mkdtempSync(join(tmpdir(), "stm-migration-"));
const mf = new Miniflare({
  modules: true,
  script: "export default { fetch() { return new Response('migration'); } };",
  d1Databases: { DB: "migration-timing" },
  d1Persist: persist,
  host: "127.0.0.1",
});

let failed = false;
try {
  const db = await mf.getD1Database("DB");
  for (const file of before) {
    for (const sql of splitSql(readFileSync(join(migrationsDir, file), "utf8"))) {
      await db.prepare(sql).run();
    }
  }
  let started = Date.now();
  for (const sql of fill) await db.prepare(sql).run();
  console.error(`filled ${plays} plays of ${users} users, ${tracks} tracks in ${((Date.now() - started) / 1000).toFixed(1)} s`);

  const rows = [];
  started = Date.now();
  for (const sql of splitSql(readFileSync(join(migrationsDir, target), "utf8"))) {
    const t0 = Date.now();
    const result = await db.prepare(sql).run();
    rows.push({ sql: sql.split("\n")[0].slice(0, 90), wall: Date.now() - t0, meta: result.meta });
  }
  const total = Date.now() - started;
  const after = await db.prepare("SELECT count(*) AS n FROM play_events").first();

  console.log(`| statement of ${target} | wall ms | D1 duration ms | rows read | rows written |`);
  console.log("| --- | --- | --- | --- | --- |");
  for (const row of rows) {
    console.log(`| \`${row.sql.replaceAll("|", "\\|")}\` | ${row.wall} | ${Math.round(row.meta.duration ?? 0)} | ${row.meta.rows_read ?? 0} | ${row.meta.rows_written ?? 0} |`);
  }
  const slowest = rows.reduce((a, b) => (b.wall > a.wall ? b : a));
  console.log(`\n${plays} plays: the migration took ${(total / 1000).toFixed(1)} s in all; the slowest statement ${(slowest.wall / 1000).toFixed(1)} s (\`${slowest.sql}\`). Plays after: ${after.n}.`);
  if (after.n !== plays) {
    console.error(`expected ${plays} plays after the migration, found ${after.n}`);
    failed = true;
  }
} catch (error) {
  console.error(`the migration failed: ${error && error.stack ? error.stack : error}`);
  failed = true;
} finally {
  await mf.dispose();
  rmSync(persist, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
