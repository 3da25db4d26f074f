// Spotify Time Machine: the import page's script.
//
// Opens the export in the browser (loose JSON, JSON lines or CSV files, or a zip such as
// Spotify and ListenBrainz send: its central directory is read here and each entry
// inflated with DecompressionStream), keeps the files whose records are listening history
// (told by their fields, never by their names), and sends their records to the Worker in
// chunks of at most 250 records and 128 KiB. A CSV's rows become objects here, each cell
// under its column's name; the Worker judges every record. Each chunk is one short request; a chunk
// that fails for a passing reason is sent again (the Worker counts a resent chunk once).
"use strict";

(function () {
  const CHUNK_RECORDS = 250;
  const CHUNK_BYTES = 128 * 1024;
  const ATTEMPTS = 5;
  // The fields the Worker reads; the rest (IP address, device, country) stays here.
  const FIELDS = [
    "ts", "ms_played", "master_metadata_track_name", "master_metadata_album_artist_name",
    "master_metadata_album_album_name", "spotify_track_uri", "episode_name", "episode_show_name",
    "spotify_episode_uri", "audiobook_title", "audiobook_uri", "audiobook_chapter_uri",
    "audiobook_chapter_title", "reason_start", "reason_end", "shuffle", "skipped", "offline",
    "offline_timestamp", "incognito_mode",
    "endTime", "artistName", "trackName", "podcastName", "episodeName", "msPlayed",
    "listened_at", "track_metadata", "artist", "name", "track", "album", "date", "uts",
    "utc_time", "@attr",
  ];
  // Of a ListenBrainz listen's metadata, what the Worker reads (the MusicBrainz mapping
  // and the rest stay here).
  const METADATA = ["artist_name", "track_name", "release_name"];
  const ADDITIONAL_INFO = ["spotify_id", "origin_url"];
  // The headerless CSV of the Last.fm export tools: artist, album, track, date.
  const LASTFM_COLUMNS = ["artist", "album", "track", "date"];
  const LASTFM_DATE = /^\d{1,2} [A-Za-z]{3} \d{4},? \d{1,2}:\d{2}$/;

  const $ = (id) => document.getElementById(id);
  const form = $("import-form");
  if (!form) return;
  const input = $("import-files");
  const start = $("import-start");
  const filesList = $("import-files-list");
  const status = $("import-status");
  const bar = $("import-bar");
  const errorsList = $("import-errors");
  let shownErrors = 0;

  function say(text) {
    status.textContent = text;
  }

  function noteFile(name, text, isError) {
    const item = document.createElement("li");
    item.textContent = name + ": " + text;
    if (isError) item.className = "err";
    filesList.appendChild(item);
  }

  function showErrors(errors) {
    for (const error of errors || []) {
      if (shownErrors >= 100) return;
      const item = document.createElement("li");
      item.textContent = error.file + ", record " + error.position + ": " + error.message;
      errorsList.appendChild(item);
      shownErrors += 1;
    }
  }

  function showReport(report) {
    const set = (id, value) => { $(id).textContent = Number(value).toLocaleString(); };
    set("n-read", report.records_read);
    set("n-imported", report.imported);
    set("n-merged", report.merged);
    set("n-duplicate", report.skipped.already_archived);
    set("n-short", report.skipped.under_30s);
    set("n-incognito", report.skipped.incognito);
    set("n-unidentified", report.skipped.unidentified);
    set("n-errors", report.errors);
    set("n-gaps", report.gaps_filled);
  }

  // ---- Zip: the central directory, then each entry by its local header.

  async function bytesOf(blob, from, to) {
    return new DataView(await blob.slice(from, to).arrayBuffer());
  }

  function zip64Extra(view, at, length, entry) {
    let p = at;
    while (p + 4 <= at + length) {
      const id = view.getUint16(p, true);
      const size = view.getUint16(p + 2, true);
      if (id === 0x0001) {
        let q = p + 4;
        const next = () => { const v = Number(view.getBigUint64(q, true)); q += 8; return v; };
        if (entry.size === 0xffffffff) entry.size = next();
        if (entry.compressed === 0xffffffff) entry.compressed = next();
        if (entry.offset === 0xffffffff) entry.offset = next();
        return;
      }
      p += 4 + size;
    }
  }

  async function zipEntries(file) {
    const tailLength = Math.min(file.size, 22 + 65535);
    const tail = await bytesOf(file, file.size - tailLength, file.size);
    let eocd = -1;
    for (let i = tailLength - 22; i >= 0; i--) {
      if (tail.getUint32(i, true) === 0x06054b50) { eocd = i; break; }
    }
    if (eocd < 0) throw new Error("this zip file is damaged (no central directory)");
    let count = tail.getUint16(eocd + 10, true);
    let cdSize = tail.getUint32(eocd + 12, true);
    let cdOffset = tail.getUint32(eocd + 16, true);
    if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
      // Zip64: the locator sits just before the end record.
      const locatorAt = file.size - tailLength + eocd - 20;
      const locator = await bytesOf(file, locatorAt, locatorAt + 20);
      if (locator.getUint32(0, true) !== 0x07064b50) throw new Error("this zip64 file is damaged");
      const recordAt = Number(locator.getBigUint64(8, true));
      const record = await bytesOf(file, recordAt, recordAt + 56);
      count = Number(record.getBigUint64(32, true));
      cdSize = Number(record.getBigUint64(40, true));
      cdOffset = Number(record.getBigUint64(48, true));
    }
    const cd = await bytesOf(file, cdOffset, cdOffset + cdSize);
    const names = new TextDecoder("utf-8");
    const entries = [];
    let p = 0;
    for (let n = 0; n < count; n++) {
      if (cd.getUint32(p, true) !== 0x02014b50) throw new Error("this zip file is damaged");
      const nameLength = cd.getUint16(p + 28, true);
      const extraLength = cd.getUint16(p + 30, true);
      const commentLength = cd.getUint16(p + 32, true);
      const entry = {
        flags: cd.getUint16(p + 8, true),
        method: cd.getUint16(p + 10, true),
        compressed: cd.getUint32(p + 20, true),
        size: cd.getUint32(p + 24, true),
        offset: cd.getUint32(p + 42, true),
        name: names.decode(new Uint8Array(cd.buffer, cd.byteOffset + p + 46, nameLength)),
      };
      zip64Extra(cd, p + 46 + nameLength, extraLength, entry);
      if (!entry.name.endsWith("/")) entries.push(entry);
      p += 46 + nameLength + extraLength + commentLength;
    }
    return entries;
  }

  async function entryText(file, entry) {
    const header = await bytesOf(file, entry.offset, entry.offset + 30);
    if (header.getUint32(0, true) !== 0x04034b50) throw new Error("damaged entry");
    const from = entry.offset + 30 + header.getUint16(26, true) + header.getUint16(28, true);
    const data = file.slice(from, from + entry.compressed);
    if ((entry.flags & 1) !== 0) throw new Error("encrypted entries cannot be read");
    let stream;
    if (entry.method === 0) stream = data.stream();
    else if (entry.method === 8) stream = data.stream().pipeThrough(new DecompressionStream("deflate-raw"));
    else throw new Error("compression method " + entry.method + " is not supported");
    return new Response(stream).text();
  }

  // ---- Recognising history files by their records, not their names.

  const isObject = (value) => value !== null && typeof value === "object" && !Array.isArray(value);

  function isHistoryRecord(record) {
    return isObject(record) && ("ts" in record || "endTime" in record || "listened_at" in record ||
      ("artist" in record && ("name" in record || "track" in record)));
  }

  // A saved page of Last.fm's recent tracks: {"recenttracks": {"track": [...]}} or
  // {"track": [...]}; its tracks, or null.
  function lastfmTracks(page) {
    if (!isObject(page)) return null;
    const holder = isObject(page.recenttracks) ? page.recenttracks : page;
    if (Array.isArray(holder.track)) return holder.track;
    return isObject(holder.track) ? [holder.track] : null;
  }

  function jsonRecords(value) {
    if (isObject(value)) value = [value];
    if (!Array.isArray(value)) return null;
    const sample = value.slice(0, 20);
    if (sample.some(isHistoryRecord)) return value;
    // Last.fm backups: an array of pages, their tracks in order.
    if (sample.some((page) => lastfmTracks(page) !== null)) {
      const tracks = [];
      for (const page of value) for (const track of lastfmTracks(page) || []) tracks.push(track);
      return tracks;
    }
    return null;
  }

  // JSON lines (a ListenBrainz export): one record a line; a line that is not JSON is
  // sent as null, so that the Worker reports it at its place.
  function jsonLineRecords(text) {
    const records = [];
    for (const line of text.split(/\r?\n/)) {
      if (line.trim() === "") continue;
      try {
        records.push(JSON.parse(line));
      } catch (error) {
        records.push(null);
      }
    }
    return records.slice(0, 20).some(isHistoryRecord) ? records : null;
  }

  // RFC 4180: quoted cells may hold commas, quotes (doubled) and line breaks.
  function csvRows(text) {
    const rows = [];
    let row = [];
    let cell = "";
    let quoted = false;
    for (let i = 0; i < text.length; i++) {
      const c = text[i];
      if (quoted) {
        if (c === '"' && text[i + 1] === '"') { cell += '"'; i++; }
        else if (c === '"') quoted = false;
        else cell += c;
      } else if (c === '"') quoted = true;
      else if (c === ",") { row.push(cell); cell = ""; }
      else if (c === "\n" || c === "\r") {
        if (c === "\r" && text[i + 1] === "\n") i++;
        row.push(cell);
        rows.push(row);
        row = [];
        cell = "";
      } else cell += c;
    }
    if (cell !== "" || row.length > 0) { row.push(cell); rows.push(row); }
    return rows.filter((cells) => cells.some((cell) => cell.trim() !== ""));
  }

  // A Last.fm CSV: headed (uts,utc_time,artist,...,track,...), its cells under the
  // header's names, or headerless artist,album,track,date. Empty cells are left out.
  function csvRecords(text) {
    const rows = csvRows(text);
    if (rows.length === 0) return null;
    const header = rows[0].map((name) => name.trim().toLowerCase());
    let columns;
    let body;
    if (header.includes("artist") && (header.includes("track") || header.includes("name"))) {
      columns = header;
      body = rows.slice(1);
    } else if (rows[0].length >= 4 && LASTFM_DATE.test(rows[0][3].trim())) {
      columns = LASTFM_COLUMNS;
      body = rows;
    } else {
      return null;
    }
    return body.map((cells) => {
      const record = {};
      cells.forEach((cell, i) => {
        if (i < columns.length && cell.trim() !== "") record[columns[i]] = cell;
      });
      return record;
    });
  }

  function historyRecords(text) {
    text = text.replace(/^\uFEFF/, "");
    const head = text.slice(0, 64).trimStart();
    if (head.startsWith("[") || head.startsWith("{")) {
      try {
        return jsonRecords(JSON.parse(text));
      } catch (error) {
        // Not one JSON value: JSON lines, perhaps.
      }
      return head.startsWith("{") ? jsonLineRecords(text) : null;
    }
    return csvRecords(text);
  }

  function pick(object, fields) {
    const out = {};
    for (const field of fields) if (field in object) out[field] = object[field];
    return out;
  }

  function slim(record) {
    if (!isObject(record)) return record;
    const out = pick(record, FIELDS);
    const metadata = out.track_metadata;
    if (isObject(metadata)) {
      out.track_metadata = pick(metadata, METADATA);
      if (isObject(metadata.additional_info)) {
        out.track_metadata.additional_info = pick(metadata.additional_info, ADDITIONAL_INFO);
      }
    }
    return out;
  }

  // ---- Sending.

  async function post(url, body) {
    let lastError = null;
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      if (attempt > 0) await new Promise((done) => setTimeout(done, 1000 * 2 ** attempt));
      let response;
      try {
        response = await fetch(url, {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          credentials: "same-origin",
          body: body === undefined ? "{}" : body,
        });
      } catch (error) {
        lastError = new Error("the connection failed");
        continue;
      }
      let answer = null;
      try { answer = await response.json(); } catch (error) { answer = null; }
      if (response.ok) return answer;
      const message = answer && answer.error ? answer.error.message : "HTTP " + response.status;
      if (response.status >= 500 || response.status === 429) {
        lastError = new Error(message);
        continue;
      }
      throw new Error(message);
    }
    throw lastError || new Error("the server did not answer");
  }

  async function sendFile(importId, name, records, index, total) {
    let offset = 0;
    while (offset < records.length) {
      const parts = [];
      let bytes = 0;
      let end = offset;
      while (end < records.length && parts.length < CHUNK_RECORDS) {
        const part = JSON.stringify(slim(records[end]));
        if (parts.length > 0 && bytes + part.length > CHUNK_BYTES) break;
        parts.push(part);
        bytes += part.length + 1;
        end += 1;
      }
      const body = '{"file":' + JSON.stringify(name) + ',"offset":' + offset +
        ',"records":[' + parts.join(",") + "]}";
      say("File " + index + " of " + total + ": " + name + ", records " +
        (offset + 1).toLocaleString() + " to " + end.toLocaleString() + " of " +
        records.length.toLocaleString());
      const answer = await post("/api/imports/" + importId + "/chunks", body);
      showReport(answer.import);
      showErrors(answer.chunk.errors);
      bar.value = end / records.length;
      offset = end;
    }
  }

  async function run(files) {
    $("import-progress").hidden = false;
    $("import-report").hidden = true;
    filesList.textContent = "";
    errorsList.textContent = "";
    shownErrors = 0;
    say("Opening the files…");
    // Find the history files first, without holding their records.
    const sources = [];
    for (const file of files) {
      const head = new Uint8Array(await file.slice(0, 4).arrayBuffer());
      if (head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04) {
        try {
          // Known by the zip's name and the entry's path: the server takes a file it has
          // seen in this import as resent, and two exports each hold files of the same
          // names (Streaming_History_Audio_2019.json) with other plays in them.
          for (const entry of await zipEntries(file)) {
            sources.push({ name: file.name + "/" + entry.name, read: () => entryText(file, entry) });
          }
        } catch (error) {
          noteFile(file.name, error.message, true);
        }
      } else {
        sources.push({ name: file.name, read: () => file.text() });
      }
    }
    const created = await post("/api/imports");
    const importId = created.id;
    let sent = 0;
    for (let i = 0; i < sources.length; i++) {
      const source = sources[i];
      let records = null;
      try {
        records = historyRecords(await source.read());
      } catch (error) {
        noteFile(source.name, "could not be read (" + error.message + ")", true);
        continue;
      }
      if (!records) {
        if (/\.(json|jsonl|csv)$/i.test(source.name)) noteFile(source.name, "not a listening history file, left out");
        continue;
      }
      sent += 1;
      noteFile(source.name, records.length.toLocaleString() + " records");
      await sendFile(importId, source.name, records, i + 1, sources.length);
    }
    const finished = await post("/api/imports/" + importId + "/finish");
    const report = finished.import;
    showReport(report);
    errorsList.textContent = "";
    shownErrors = 0;
    showErrors(report.error_list);
    bar.value = 1;
    say(sent === 0 ? "No listening history was found in these files." : "Done.");
    $("import-summary").textContent =
      report.records_read.toLocaleString() + " records read from " + sent + " file(s): " +
      report.imported.toLocaleString() + " new plays, " + report.merged.toLocaleString() +
      " already archived from polls, " + report.errors.toLocaleString() + " malformed, " +
      report.gaps_filled.toLocaleString() + " gaps filled.";
    $("import-report").hidden = false;
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const files = Array.from(input.files || []);
    if (files.length === 0) {
      say("Choose the zip or the files first.");
      $("import-progress").hidden = false;
      return;
    }
    if (typeof DecompressionStream === "undefined") {
      say("This browser cannot open zip files; choose the files inside it instead.");
    }
    start.disabled = true;
    run(files)
      .catch((error) => say("The import stopped: " + error.message + ". Plays sent so far are kept; choose the files again to go on."))
      .finally(() => { start.disabled = false; });
  });
})();
