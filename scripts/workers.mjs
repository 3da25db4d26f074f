// The Workers a deployment runs, and their wrangler configs, derived from one: the
// committed wrangler.toml (or a config made from it: scripts/deploy's, the e2e harness's)
// describes the front, and each other part is that config with its own name and `main`
// and only the tables it uses. scripts/deploy imports this; the e2e harness, scripts/dev
// and scripts/test run it:
//
//   node scripts/workers.mjs CONFIG OUT_DIR [NAME=VALUE ...]
//
// writes OUT_DIR/{front,review,history,background}.toml (each var set in every config's
// [vars]: `wrangler dev` gives its --var to the first config only) and prints their paths,
// the front first, as `wrangler dev -c … -c …` takes them. Why the split and what each
// part holds: docs/operations.md, "The Workers"; the routes' parts: src/web/routes.rs.

import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The parts, the front first. `suffix` names the Worker after the front's; `dir` is
 * where scripts/build puts its build, beside the front's `main`.
 */
export const PARTS = [
  { part: "front", suffix: "", dir: "" },
  { part: "review", suffix: "-review", dir: "review" },
  { part: "history", suffix: "-history", dir: "history" },
  { part: "background", suffix: "-background", dir: "background" },
];

/** The top level's `route` or `routes`: the front's alone. */
const ROUTE_KEY = /^\s*routes?\s*=/;

/** The front's service bindings: `Part::binding` in src/web/routes.rs. */
const FRONT_BINDINGS = [
  { binding: "REVIEW_WORKER", part: "review" },
  { binding: "HISTORY_WORKER", part: "history" },
];

/**
 * The config of each part, from the front's `text`: `[{ part, name, text }]`, the front
 * first. The cron is the front's (it runs the sweep beside the admin route that runs it
 * too); the queue consumers are the background's; only the front is reachable from the
 * internet, the others through its service bindings. `vars` are set in every [vars].
 */
export function partConfigs(text, vars = {}) {
  const front = parseTables(text)[0];
  const unclosed = front.lines.find((line) => ROUTE_KEY.test(line) && !/\]\s*(#.*)?$/.test(line));
  if (unclosed && !/^\s*route\s*=/.test(unclosed)) {
    throw new Error("write `routes` on one line: a part's config drops it line by line");
  }
  const name = getString(front, "name");
  const main = getString(front, "main");
  if (!name || !main) throw new Error("the config names no Worker (`name`) or no `main`");
  const nameOf = (part) => name + PARTS.find((other) => other.part === part).suffix;
  return PARTS.map(({ part, dir }) => {
    const tables = parseTables(text).filter(
      (table) =>
        (table.name !== "triggers" || part === "front") &&
        (table.name !== "queues.consumers" || part === "background") &&
        ((table.name !== "services" && table.name !== "routes") || part === "front"),
    );
    const top = tables[0];
    // The front's routes (custom domains) are its alone: a part takes no request directly.
    if (part !== "front") top.lines = top.lines.filter((line) => !ROUTE_KEY.test(line));
    setString(top, "name", nameOf(part));
    // Each config builds its own Worker: scripts/build takes the parts to build as its
    // arguments (a command of another shape would need its own rule here).
    const build = findTable(tables, "build");
    const command = build && getString(build, "command");
    if (command) setString(build, "command", `${command} ${part}`);
    if (dir) {
      const partMain = path.posix.join(path.posix.dirname(main), dir, path.posix.basename(main));
      setString(top, "main", partMain);
      setValue(top, "workers_dev", "false");
      setValue(top, "preview_urls", "false");
    } else {
      for (const { binding, part: other } of FRONT_BINDINGS) {
        const table = addTable(tables, tables.length, "[[services]]",
          `# The ${other} Worker, which answers its routes (scripts/workers.mjs).`);
        setString(table, "binding", binding);
        setString(table, "service", nameOf(other));
      }
    }
    if (Object.keys(vars).length > 0) {
      const table = findTable(tables, "vars") ?? addTable(tables, tables.length, "[vars]");
      for (const [key, value] of Object.entries(vars)) setString(table, key, value);
    }
    return { part, name: nameOf(part), text: serialize(tables) + "\n" };
  });
}

/** The command line: see the top of this file. */
function main(argv) {
  const [config, outDir, ...assignments] = argv;
  if (!config || !outDir) {
    throw new Error("usage: node scripts/workers.mjs CONFIG OUT_DIR [NAME=VALUE ...]");
  }
  const vars = {};
  for (const assignment of assignments) {
    const equals = assignment.indexOf("=");
    if (equals <= 0) throw new Error(`not NAME=VALUE: ${assignment}`);
    vars[assignment.slice(0, equals)] = assignment.slice(equals + 1);
  }
  fs.mkdirSync(outDir, { recursive: true });
  const tables = parseTables(fs.readFileSync(config, "utf8"));
  makePathsAbsolute(tables, path.dirname(path.resolve(config)));
  for (const { part, text } of partConfigs(serialize(tables), vars)) {
    const file = path.resolve(outDir, `${part}.toml`);
    fs.writeFileSync(file, text);
    process.stdout.write(`${file}\n`);
  }
}

// Paths a config gives relative to its own directory (`base`). wrangler resolves them
// against the directory of the config it is given, which for a derived config is
// elsewhere; derived configs are rewritten on every run, so absolute paths cost nothing.
// The [build] command runs in build.cwd, else in the working directory: pinned as well.
const PATH_KEYS = {
  "": ["main", "tsconfig"],
  build: ["cwd", "watch_dir"],
  assets: ["directory"],
  d1_databases: ["migrations_dir"],
};

// The defaults of those that have one, which are relative too: what `wrangler dev` watches
// to rebuild is `src` beside the config.
const PATH_DEFAULTS = { cwd: ".", watch_dir: "src" };

export function makePathsAbsolute(tables, base) {
  for (const table of tables) {
    for (const key of PATH_KEYS[table.name] ?? []) {
      const value = getString(table, key) ?? PATH_DEFAULTS[key];
      if (value !== undefined) setString(table, key, path.resolve(base, value));
    }
  }
}

// ---- wrangler.toml, line by line ----
// Not a TOML parser: enough to read and rewrite this project's wrangler.toml, whose values
// are one-line strings, numbers and arrays. A table keeps its lines, the comments above its
// header included, so that the generated config reads like the committed one.

const HEADER = /^\s*\[\[?\s*([A-Za-z0-9_.-]+)\s*\]\]?\s*(#.*)?$/;
const BLANK_OR_COMMENT = /^\s*(#.*)?$/;

/** The top level (name "") and then each [table] or [[array]] entry, in order. */
export function parseTables(text) {
  const tables = [{ name: "", lines: [] }];
  for (const line of text.split("\n")) {
    const header = line.match(HEADER);
    if (!header) {
      tables.at(-1).lines.push(line);
      continue;
    }
    // The comments and blank lines just above a header belong to the table below it.
    const above = tables.at(-1).lines;
    let cut = above.length;
    while (cut > 0 && BLANK_OR_COMMENT.test(above[cut - 1])) cut--;
    tables.push({ name: header[1], lines: [...above.splice(cut), line] });
  }
  return tables;
}

export function serialize(tables) {
  return tables.flatMap((table) => table.lines).join("\n");
}

/** The first table of that name (whose `key` is `value`, when given). */
export function findTable(tables, name, key, value) {
  return tables.find(
    (table) => table.name === name && (key === undefined || getString(table, key) === value),
  );
}

/** Inserts an empty table, `header` being `[name]` or `[[name]]`. */
export function addTable(tables, index, header, comment) {
  const lines = ["", ...(comment ? [comment] : []), header];
  const table = { name: header.match(HEADER)[1], lines };
  tables.splice(index, 0, table);
  return table;
}

function keyPattern(key) {
  return new RegExp(`^\\s*${key}\\s*=\\s*`);
}

export function getString(table, key) {
  for (const line of table.lines) {
    const match = line.match(new RegExp(keyPattern(key).source + `"([^"]*)"`));
    if (match) return match[1];
  }
  return undefined;
}

/** Replaces the key's line (its trailing comment too), or adds it after the table's last line. */
export function setString(table, key, value) {
  // A JSON string is a valid TOML basic string (same quotes and escapes).
  setValue(table, key, JSON.stringify(value));
}

/** As setString, with the value written as given (a number, a boolean). */
export function setValue(table, key, value) {
  const line = `${key} = ${value}`;
  const at = table.lines.findIndex((other) => keyPattern(key).test(other));
  if (at >= 0) {
    table.lines[at] = line;
    return;
  }
  let end = table.lines.length;
  while (end > 0 && BLANK_OR_COMMENT.test(table.lines[end - 1])) end--;
  table.lines.splice(end, 0, line);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    main(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`scripts/workers.mjs: ${error.message}\n`);
    process.exitCode = 2;
  }
}
