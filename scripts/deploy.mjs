// The logic of scripts/deploy (which sets up PATH and runs this; see USAGE below): one
// command that deploys the Worker to Cloudflare, the first time or again. Dependency-free
// on purpose: it needs nothing but Node and wrangler, and it reads wrangler's own output.
//
// Every step first looks at what exists and does only what is missing, so a second run
// changes nothing, and a run that stopped half-way is finished by running it again.

import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

import {
  addTable,
  findTable,
  getString,
  makePathsAbsolute,
  parseTables,
  PARTS,
  partConfigs,
  serialize,
  setString,
} from "./workers.mjs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const TEMPLATE_FILE = path.join(ROOT, "wrangler.toml");
// Git-ignored: this deployment's resource ids stay out of the committed wrangler.toml.
const STATE_DIR = path.resolve(ROOT, process.env.DEPLOY_STATE_DIR || ".deploy");
const STATE_FILE = path.join(STATE_DIR, "state.json");
/** The generated config of one of the deployment's Workers (scripts/workers.mjs). */
const configFile = (part) => path.join(STATE_DIR, `${part}.toml`);
// The front's: the migrations are applied through it (every Worker binds the same shards).
const FRONT_CONFIG = configFile("front");
// Generated secrets not yet on every Worker (readable by this user alone; see ensureSecrets).
const PENDING_SECRETS_FILE = path.join(STATE_DIR, "pending-secrets.json");

// Every secret the Workers read, each set on every Worker but CRON_SECRET (the admin API's,
// the front's alone). A missing one is set from this script's environment when given
// there, else generated when it can be; the rest are left to the operator. An existing
// secret is never overwritten: TOKEN_ENCRYPTION_KEY seals every stored token, and every
// Worker must hold the same one.
const SECRETS = [
  { name: "TOKEN_ENCRYPTION_KEY", generate: () => randomBytes(32).toString("base64") },
  { name: "CRON_SECRET", generate: () => randomBytes(32).toString("base64url"), parts: ["front"] },
  { name: "SPOTIFY_CLIENT_ID", required: true },
  { name: "SPOTIFY_CLIENT_SECRET", required: true },
  { name: "OPERATOR_ALERT_URL" },
  { name: "OPERATOR_ALERT_SECRET" },
];

const USAGE = `Usage: scripts/deploy [--shards N] [--weights W0,W1,...] [--public-url URL]

Deploys the service's four Workers to Cloudflare, the first time or as an update. Creates
what is missing (the D1 databases, one per shard; the KV namespace; the queues), sets the
secrets that are missing, applies the migrations to every shard, deploys the Workers (the
front last: it binds the others), and prints the callback URL to register with Spotify.
Running it again changes nothing that exists.

  --shards N        How many D1 shards the Worker binds (default: as many as the last
                    deploy, else 1). It can only grow: users live in every shard.
  --weights LIST    SHARD_WEIGHTS, one whole number per shard (0: no new users there);
                    remembered; --weights "" goes back to equal weights.
  --public-url URL  The Worker's public URL (default: learnt from the first deploy).
  -h, --help        This text.

Secrets: each one missing from a Worker is set from this command's environment when given
there. Else TOKEN_ENCRYPTION_KEY and CRON_SECRET are generated (and never shown: give CRON_SECRET
to know it), and SPOTIFY_CLIENT_ID, SPOTIFY_CLIENT_SECRET and the optional OPERATOR_ALERT_URL
and OPERATOR_ALERT_SECRET are named at the end. Existing secrets are never changed. A secret
that some Workers hold and others lack must be given in the environment.

The ids and the generated wrangler configs (one per Worker) are kept in .deploy/
(git-ignored; the variable DEPLOY_STATE_DIR moves it). wrangler must be logged in:
\`npx wrangler login\`, or CLOUDFLARE_API_TOKEN (and CLOUDFLARE_ACCOUNT_ID for a token on
several accounts).
`;

/** A failure to report in one clear sentence, without a stack trace. */
class DeployError extends Error {}
/** A mistake on the command line: exits 2 and points at --help. */
class UsageError extends DeployError {}

async function main(argv) {
  const options = parseArgs(argv);
  if (options.help) {
    process.stdout.write(USAGE);
    return;
  }
  const template = readTemplate();
  const state = readState();
  await requireLogin();

  // Decide everything before changing anything, so that a refused run leaves no trace.
  const databases = await listDatabases();
  const shards = chooseShardCount(options.shards, state, template, databases);
  const weights = chooseWeights(options.weights, state.shard_weights, shards);

  say(`Resources (${shards} D1 shard${shards === 1 ? "" : "s"})`);
  const shardNames = range(shards).map((k) => shardDatabaseName(template.database, k));
  state.shards = shards;
  state.shard_weights = weights;
  state.public_url = options.publicUrl ?? state.public_url ?? template.publicUrl;
  state.d1_databases = await ensureDatabases(shardNames, databases);
  state.kv_namespaces = await ensureNamespaces(template.namespaces);
  await ensureQueues(template.queues);
  writeState(state);
  writeConfigs(template, state);

  say("Migrations, on every shard");
  for (const name of shardNames) {
    await wrangler(["d1", "migrations", "apply", name, "--remote", "-c", FRONT_CONFIG]);
  }

  say("Secrets");
  const unset = await ensureSecrets();

  say("Deploy");
  const url = await deploy(template, state);
  report(url, unset);
}

// ---- The command line ----

function parseArgs(argv) {
  const options = {};
  for (let i = 0; i < argv.length; i++) {
    let flag = argv[i];
    let value;
    const equals = flag.indexOf("=");
    if (flag.startsWith("--") && equals > 0) {
      value = flag.slice(equals + 1);
      flag = flag.slice(0, equals);
    }
    const takeValue = () => {
      value ??= argv[++i];
      if (value === undefined) throw new UsageError(`${flag} needs a value`);
      return value;
    };
    switch (flag) {
      case "-h":
      case "--help":
        options.help = true;
        break;
      case "--shards":
        options.shards = parseShardCount(takeValue());
        break;
      case "--weights":
        options.weights = takeValue().trim();
        break;
      case "--public-url":
        options.publicUrl = parsePublicUrl(takeValue());
        break;
      default:
        throw new UsageError(`unknown argument: ${flag}`);
    }
  }
  return options;
}

function parseShardCount(text) {
  if (!/^[1-9][0-9]*$/.test(text)) {
    throw new UsageError(`--shards takes a whole number of at least 1, not "${text}"`);
  }
  return Number(text);
}

function parsePublicUrl(text) {
  if (!/^https?:\/\/[^\s/]+/.test(text)) {
    throw new UsageError(`--public-url takes an http(s) URL, not "${text}"`);
  }
  return text.replace(/\/+$/, "");
}

// ---- Shards ----

// Shard 0 is the database wrangler.toml binds as ARCHIVE_DB; shard k ≥ 1 is bound as
// ARCHIVE_DB_<k> to a database named after shard 0's. The Worker takes the bindings in
// order up to the first missing one, so they are numbered without holes.
function shardBinding(k) {
  return k === 0 ? "ARCHIVE_DB" : `ARCHIVE_DB_${k}`;
}

function shardDatabaseName(base, k) {
  return k === 0 ? base : `${base}-${k}`;
}

/**
 * The shard count to deploy: as asked, else as before, else 1. Never fewer than before,
 * counting both what this machine remembers and the shard databases that exist remotely
 * (a fresh clone must not unbind the shards another machine added).
 */
function chooseShardCount(asked, state, template, databases) {
  const names = new Set(databases.map((db) => db.name));
  let remote = 0;
  while (names.has(shardDatabaseName(template.database, remote))) remote++;
  const current = Math.max(state.shards ?? 0, remote);
  const shards = asked ?? Math.max(current, 1);
  if (shards < current) {
    throw new DeployError(
      `refusing to lower the shard count from ${current} to ${shards}: users live in every ` +
        `shard, and an unbound shard would cut them off. Shards can only be added ` +
        `(to stop new users reaching one, give it weight 0 with --weights).`,
    );
  }
  return shards;
}

/** SHARD_WEIGHTS as given, else as remembered; undefined for equal weights (the default). */
function chooseWeights(given, remembered, shards) {
  const text = given ?? remembered ?? "";
  if (text === "") return undefined;
  const weights = text.split(",").map((weight) => weight.trim());
  if (!weights.every((weight) => /^[0-9]+$/.test(weight))) {
    throw new UsageError(`--weights takes whole numbers, one per shard, not "${text}"`);
  }
  if (weights.length !== shards) {
    // The Worker refuses a list of another length, so that a new shard is not guessed a weight.
    const source =
      given === undefined ? `SHARD_WEIGHTS from the last deploy (${text})` : "--weights";
    throw new DeployError(
      `${source} gives ${weights.length} weight(s) for ${shards} shard(s): ` +
        `pass --weights with one per shard (or --weights "" for equal weights)`,
    );
  }
  return weights.map(Number).join(",");
}

// ---- Resources: found by listing, created when missing ----

/**
 * Checks the login first: run without a terminal, wrangler would otherwise only say that
 * CLOUDFLARE_API_TOKEN is needed, when `wrangler login` is the usual answer.
 */
async function requireLogin() {
  const result = await wrangler(["whoami", "--json"], { quiet: true, allowFailure: true });
  if (result.code !== 0) {
    process.stderr.write(result.stderr);
    throw new DeployError(
      "wrangler has no Cloudflare login (or cannot reach Cloudflare): run `npx wrangler login`, " +
        "or set CLOUDFLARE_API_TOKEN, and try again",
    );
  }
}

async function listDatabases() {
  const { stdout } = await wrangler(["d1", "list", "--json"], { quiet: true });
  return parseJson(stdout, "wrangler d1 list --json");
}

/** Each database's id by name, creating the missing ones. */
async function ensureDatabases(names, listed) {
  const ids = {};
  for (const name of names) {
    ids[name] = listed.find((db) => db.name === name)?.uuid ?? (await createDatabase(name));
  }
  return ids;
}

async function createDatabase(name) {
  const { stdout } = await wrangler(["d1", "create", name]);
  return idFromSnippet(stdout, "database_id", `D1 database ${name}`);
}

/** Each KV namespace's id by binding, creating the missing ones (titled as bound, as before). */
async function ensureNamespaces(titles) {
  const { stdout } = await wrangler(["kv", "namespace", "list"], { quiet: true });
  const listed = parseJson(stdout, "wrangler kv namespace list");
  const ids = {};
  for (const title of titles) {
    ids[title] = listed.find((ns) => ns.title === title)?.id ?? (await createNamespace(title));
  }
  return ids;
}

async function createNamespace(title) {
  const { stdout } = await wrangler(["kv", "namespace", "create", title]);
  return idFromSnippet(stdout, "id", `KV namespace ${title}`);
}

/** Queues are bound by name, so only their existence matters. */
async function ensureQueues(names) {
  const existing = await listQueueNames(names);
  for (const name of names.filter((name) => !existing.has(name))) {
    await wrangler(["queues", "create", name]);
  }
}

/**
 * The names of the queues that exist, read page by page until every wanted one is seen
 * or a page comes back empty (or the same again). `wrangler queues list` prints a table only.
 */
async function listQueueNames(wanted) {
  const names = new Set();
  let previous;
  for (let page = 1; page <= 100 && !wanted.every((name) => names.has(name)); page++) {
    const { stdout } = await wrangler(["queues", "list", "--page", String(page)], { quiet: true });
    const rows = parseTable(stdout);
    const key = rows.map((row) => row.name).join("\n");
    if (rows.length === 0 || key === previous) break;
    rows.forEach((row) => names.add(row.name));
    previous = key;
  }
  return names;
}

// ---- Secrets ----

/**
 * Sets every missing secret that can be set, on each Worker that reads it; returns the ones
 * still missing. Every secret a Worker holds is every reader's, those of SECRETS and any
 * other (LASTFM_API_KEY, TOKEN_ENCRYPTION_KEY_PREVIOUS, …). One that some Workers hold and
 * others lack (a deployment from before the split into four Workers) is set only from the
 * environment: a secret cannot be read back, and a new value would not match theirs.
 * Everything is decided before anything is set.
 */
async function ensureSecrets() {
  const held = new Map();
  for (const { part } of PARTS) held.set(part, await listSecretNames(configFile(part)));
  const secrets = new Map(SECRETS.map((secret) => [secret.name, secret]));
  for (const names of held.values()) {
    for (const name of names) if (!secrets.has(name)) secrets.set(name, { name });
  }
  const pending = readPendingSecrets();
  const puts = [];
  const unset = [];
  const unmatched = [];
  for (const secret of secrets.values()) {
    const readers = PARTS.map(({ part }) => part).filter(
      (part) => !secret.parts || secret.parts.includes(part),
    );
    const lacking = readers.filter((part) => !held.get(part).has(secret.name));
    if (lacking.length === 0) continue;
    const holding = readers.filter((part) => !lacking.includes(part));
    const { name } = secret;
    const given = process.env[name]?.trim();
    if (given) {
      puts.push({ name, lacking, value: given, source: "from the environment" });
    } else if (pending[name]) {
      const source = "as generated by the run that stopped";
      puts.push({ name, lacking, value: pending[name], source, generated: true });
    } else if (holding.length > 0) {
      unmatched.push(`${name} (set on ${holding.join(", ")}; not on ${lacking.join(", ")})`);
    } else if (secret.generate) {
      puts.push({ name, lacking, value: secret.generate(), source: "generated", generated: true });
    } else {
      unset.push(secret);
    }
  }
  if (unmatched.length > 0) {
    throw new DeployError(
      `some Workers hold secrets that others lack, and a secret cannot be read back: give ` +
        `each one's value in the environment (NAME=… scripts/deploy): ${unmatched.join("; ")}. ` +
        `README.md ("Deploying") says what to do with a value nobody knows`,
    );
  }
  // A generated value is kept until every Worker has it, so that a run stopped between two
  // of its `secret put`s is finished by the next with the same value.
  const generated = puts.filter((put) => put.generated);
  if (generated.length > 0) {
    writePendingSecrets(Object.fromEntries(generated.map((put) => [put.name, put.value])));
  }
  for (const { name, lacking, value, source } of puts) {
    say(`${name} is missing on ${lacking.join(", ")}: setting it, ${source}`);
    for (const part of lacking) {
      // On stdin, never on a command line (which other users of the machine can read).
      await wrangler(["secret", "put", name, "-c", configFile(part)], { input: value });
    }
  }
  fs.rmSync(PENDING_SECRETS_FILE, { force: true });
  return unset;
}

function readPendingSecrets() {
  return readJsonFile(PENDING_SECRETS_FILE, "it holds generated secrets not yet set everywhere");
}

function writePendingSecrets(values) {
  writeFileAtomically(PENDING_SECRETS_FILE, JSON.stringify(values) + "\n", 0o600);
}

async function listSecretNames(config) {
  const args = ["secret", "list", "--format", "json", "-c", config];
  const result = await wrangler(args, { quiet: true, allowFailure: true });
  if (result.code !== 0) {
    // A Worker never deployed has no secrets yet, which wrangler reports as an error.
    // (`secret put` then creates the Worker, so that it never runs without its secrets.)
    if (/Worker "[^"]*"[^\n]* not found/.test(stripAnsi(result.stdout + result.stderr))) {
      return new Set();
    }
    throw commandFailed(args, result);
  }
  return new Set(parseJson(result.stdout, "wrangler secret list").map((secret) => secret.name));
}

// ---- Deploying ----

/**
 * Deploys every Worker, the front last (its service bindings need the others to exist);
 * returns the front's public URL (undefined when it cannot be told).
 */
async function deploy(template, state) {
  const deployAll = async () => {
    let front;
    for (const { part } of [...PARTS].reverse()) {
      front = (await wrangler(["deploy", "-c", configFile(part)])).stdout;
    }
    return front;
  };
  const stdout = await deployAll();
  if (state.public_url) return state.public_url;
  const url = workerUrl(stdout);
  if (url) {
    // No wrangler command tells the workers.dev subdomain before a deploy, so the first
    // deploy learns the URL and a second one sets PUBLIC_URL; later runs deploy once.
    say(`PUBLIC_URL is now known (${url}): deploying again with it`);
    state.public_url = url;
    writeState(state);
    writeConfigs(template, state);
    await deployAll();
  }
  return url;
}

/** From `wrangler deploy`'s list of targets: a custom domain, else the workers.dev URL. */
function workerUrl(output) {
  const lines = stripAnsi(output)
    .split("\n")
    .map((line) => line.trim());
  const domain = lines.map((line) => line.match(/^([^\s/]+) \(custom domain/)).find(Boolean);
  if (domain) return `https://${domain[1]}`;
  return lines.find((line) => /^https:\/\/[^\s/]+\.workers\.dev$/.test(line));
}

/** The summary, on stdout (wrangler's own output went to stderr). */
function report(url, unset) {
  const lines = [""];
  if (url) {
    lines.push(`Deployed: ${url}`);
    lines.push("Register this Redirect URI in the Spotify app's settings:");
    lines.push(`  ${url}/callback`);
  } else {
    lines.push("Deployed, but wrangler's output names no workers.dev URL or custom domain:");
    lines.push("run scripts/deploy --public-url https://<the Worker's host> to set PUBLIC_URL.");
  }
  const required = unset.filter((secret) => secret.required).map((secret) => secret.name);
  const optional = unset.filter((secret) => !secret.required).map((secret) => secret.name);
  if (required.length > 0) {
    lines.push("");
    lines.push(`Still to set: ${required.join(", ")} (from the Spotify app's settings). Either`);
    lines.push(`  ${required.map((name) => `${name}=…`).join(" ")} scripts/deploy`);
    lines.push(`or, for each and on every Worker (${PARTS.map(({ part }) => part).join(", ")}):`);
    lines.push(`  npx wrangler secret put <NAME> -c ${shown(configFile("<worker>"))}`);
  }
  if (optional.length > 0) {
    lines.push("");
    lines.push(`Optional, not set: ${optional.join(", ")} (the operator's alerts);`);
    lines.push("set them the same way.");
  }
  process.stdout.write(lines.join("\n") + "\n");
}

// ---- Local state and the generated config ----

function readState() {
  return readJsonFile(STATE_FILE, "fix or remove it");
}

/** A JSON file of the state directory, `{}` when absent; `advice` says what to do if unreadable. */
function readJsonFile(file, advice) {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (error) {
    if (error.code === "ENOENT") return {};
    throw new DeployError(`${shown(file)} is unreadable (${error.message}); ${advice}`);
  }
}

function writeState(state) {
  // Always in this order, so that the file reads the same after every run.
  const { shards, shard_weights, public_url, d1_databases, kv_namespaces } = state;
  const ordered = { shards, shard_weights, public_url, d1_databases, kv_namespaces };
  writeFileAtomically(STATE_FILE, JSON.stringify(ordered, null, 2) + "\n");
}

/** Written whole or not at all, so that an interrupted run never leaves half a file. */
function writeFileAtomically(file, text, mode = 0o644) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.rmSync(`${file}.tmp`, { force: true });
  fs.writeFileSync(`${file}.tmp`, text, { mode });
  fs.renameSync(`${file}.tmp`, file);
}

/** What the deploy needs from the committed wrangler.toml. */
function readTemplate() {
  const text = fs.readFileSync(TEMPLATE_FILE, "utf8");
  const tables = parseTables(text);
  const shard0 = findTable(tables, "d1_databases", "binding", shardBinding(0));
  const database = shard0 && getString(shard0, "database_name");
  if (!database) {
    const binding = shardBinding(0);
    throw new DeployError(`wrangler.toml binds no D1 database (with a database_name) as ${binding}`);
  }
  const queueTables = tables.filter((table) => table.name.startsWith("queues."));
  const queues = queueTables.flatMap((table) => [
    getString(table, "queue"),
    getString(table, "dead_letter_queue"),
  ]);
  return {
    text,
    database,
    namespaces: tables
      .filter((table) => table.name === "kv_namespaces")
      .map((table) => getString(table, "binding")),
    queues: [...new Set(queues)].filter(Boolean),
    publicUrl: getString(findTable(tables, "vars") ?? { lines: [] }, "PUBLIC_URL"),
  };
}

/**
 * The committed wrangler.toml with this deployment's ids, shards and vars, split into the
 * configs of its Workers (scripts/workers.mjs).
 */
function writeConfigs(template, state) {
  const tables = parseTables(template.text);
  makePathsAbsolute(tables, ROOT);
  bindShards(tables, template, state);
  for (const [binding, id] of Object.entries(state.kv_namespaces)) {
    setString(findTable(tables, "kv_namespaces", "binding", binding), "id", id);
  }
  const vars = findTable(tables, "vars") ?? addTable(tables, tables.length, "[vars]");
  if (state.public_url) setString(vars, "PUBLIC_URL", state.public_url);
  if (state.shard_weights) setString(vars, "SHARD_WEIGHTS", state.shard_weights);
  const note = [
    "# Generated by scripts/deploy from wrangler.toml and the ids in state.json beside it;",
    "# rewritten on every run, so edit wrangler.toml (or pass scripts/deploy flags) instead.",
    "",
  ];
  for (const { part, text } of partConfigs(serialize(tables))) {
    writeFileAtomically(configFile(part), note.join("\n") + text);
  }
}

function bindShards(tables, template, state) {
  const shard0 = findTable(tables, "d1_databases", "binding", shardBinding(0));
  const migrations = getString(shard0, "migrations_dir");
  for (let k = 0; k < state.shards; k++) {
    const name = shardDatabaseName(template.database, k);
    let table = findTable(tables, "d1_databases", "binding", shardBinding(k));
    if (!table) {
      const after = tables.findLastIndex((other) => other.name === "d1_databases");
      const comment = `# Shard ${k}, added by scripts/deploy --shards.`;
      table = addTable(tables, after + 1, "[[d1_databases]]", comment);
      setString(table, "binding", shardBinding(k));
    }
    setString(table, "database_name", name);
    setString(table, "database_id", state.d1_databases[name]);
    if (migrations) setString(table, "migrations_dir", migrations);
  }
}

// ---- Running wrangler and reading what it prints ----

/**
 * Runs wrangler from the repository root with stdin closed (or carrying `input`), so it
 * never stops at a prompt: wrangler then takes each prompt's non-interactive answer.
 * Its output goes to stderr as it comes (stdout is kept for the summary), except for
 * `quiet` commands, whose output is only read, and shown when they fail.
 */
async function wrangler(args, { input, quiet = false, allowFailure = false } = {}) {
  process.stderr.write(`$ wrangler ${args.map(shown).join(" ")}\n`);
  const result = await run("wrangler", args, { input, quiet });
  if (result.code !== 0 && !allowFailure) throw commandFailed(args, result, quiet);
  return result;
}

function commandFailed(args, result, showOutput = true) {
  if (showOutput) process.stderr.write(result.stderr + result.stdout);
  return new DeployError(
    `\`wrangler ${args.map(shown).join(" ")}\` failed (${result.code}); stopped there. ` +
      `What was done before it stays done: fix the cause above and run scripts/deploy again.`,
  );
}

function run(command, args, { input, quiet }) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: ROOT,
      stdio: [input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
    });
    const output = { stdout: "", stderr: "" };
    for (const stream of ["stdout", "stderr"]) {
      child[stream].setEncoding("utf8");
      child[stream].on("data", (chunk) => {
        output[stream] += chunk;
        if (!quiet) process.stderr.write(chunk);
      });
    }
    child.on("error", (error) =>
      reject(
        error.code === "ENOENT"
          ? new DeployError(`${command} is on neither PATH nor node_modules/.bin: run scripts/setup`)
          : error,
      ),
    );
    child.on("close", (code, signal) => resolve({ code: code ?? signal, ...output }));
    if (input !== undefined) {
      child.stdin.on("error", () => {}); // a command that exits early says why itself
      child.stdin.end(input);
    }
  });
}

/** The JSON a command printed, after whatever banner or notice came before it. */
function parseJson(output, command) {
  const start = output.search(/^\s*[[{]/m);
  try {
    if (start < 0) throw new Error("no JSON");
    return JSON.parse(output.slice(start));
  } catch {
    throw new DeployError(`could not read the output of \`${command}\` as JSON:\n${output}`);
  }
}

/** The rows of the box-drawn table wrangler prints (cli-table3), as objects by column name. */
function parseTable(output) {
  const rows = stripAnsi(output)
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => /^[│|].*[│|]$/.test(line))
    .map((line) => line.slice(1, -1).split(/[│|]/).map((cell) => cell.trim()));
  const [head = [], ...body] = rows;
  return body.map((cells) => Object.fromEntries(head.map((column, i) => [column, cells[i] ?? ""])));
}

/** A created resource's id, from the config snippet wrangler prints (TOML or JSON). */
function idFromSnippet(output, key, what) {
  const match = stripAnsi(output).match(new RegExp(`^\\s*"?${key}"?\\s*[=:]\\s*"([^"]+)"`, "m"));
  if (!match) {
    throw new DeployError(
      `created the ${what}, but wrangler's output shows no ${key}; ` +
        `run scripts/deploy again: it finds the ${what} by listing`,
    );
  }
  return match[1];
}

function stripAnsi(text) {
  return text.replace(/\u001b\[[0-9;]*[A-Za-z]/g, "");
}

// ---- Small helpers ----

function say(message) {
  process.stderr.write(`\n==> ${message}\n`);
}

/** A path as the operator would type it: relative to the repository root when inside it. */
function shown(arg) {
  if (!path.isAbsolute(arg)) return arg;
  const relative = path.relative(ROOT, arg);
  return relative.startsWith("..") ? arg : relative;
}

function range(n) {
  return [...Array(n).keys()];
}

main(process.argv.slice(2)).catch((error) => {
  if (!(error instanceof DeployError)) throw error;
  process.stderr.write(`\nscripts/deploy: ${error.message}\n`);
  if (error instanceof UsageError) {
    process.stderr.write("Run scripts/deploy --help for the options.\n");
    process.exitCode = 2;
  } else {
    process.exitCode = 1;
  }
});
