// Spotify Time Machine: the dashboard's one script. No framework, nothing from elsewhere.
// It draws the stats (/api/stats), pages the timeline back (/api/plays, /api/gaps), asks
// for an archive (/api/archive) and saves the time zone (/api/settings). Every text is set
// with textContent, never as markup.
'use strict';

(function () {
  var $ = function (id) { return document.getElementById(id); };
  var SVG = 'http://www.w3.org/2000/svg';
  var WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

  function el(name, attributes, text) {
    var node = document.createElement(name);
    Object.keys(attributes || {}).forEach(function (key) { node.setAttribute(key, attributes[key]); });
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function svg(name, attributes) {
    var node = document.createElementNS(SVG, name);
    Object.keys(attributes || {}).forEach(function (key) { node.setAttribute(key, attributes[key]); });
    return node;
  }

  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }

  function plural(count, one, many) { return count + ' ' + (count === 1 ? one : many); }

  function minutesText(minutes) {
    if (minutes < 120) return plural(minutes, 'minute', 'minutes');
    return Math.round(minutes / 6) / 10 + ' hours';
  }

  // JSON from our API; rejects with the API's error message.
  function api(path, options) {
    options = options || {};
    options.headers = Object.assign({ Accept: 'application/json' }, options.headers || {});
    options.credentials = 'same-origin';
    return fetch(path, options).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        if (response.ok) return body;
        var error = new Error((body.error && body.error.message) || ('The server answered ' + response.status + '.'));
        error.status = response.status;
        error.body = body;
        throw error;
      });
    });
  }

  // ---------------------------------------------------------------------------------
  // Time zones and dates

  function deviceZone() {
    try { return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC'; } catch (e) { return 'UTC'; }
  }

  function validZone(zone) {
    try { new Intl.DateTimeFormat('en', { timeZone: zone }); return true; } catch (e) { return false; }
  }

  function currentZone() {
    var zone = ($('range-tz') && $('range-tz').value.trim()) || 'UTC';
    return zone;
  }

  // Today's date (YYYY-MM-DD) in the zone.
  function today(zone) {
    var parts = {};
    new Intl.DateTimeFormat('en-CA', { timeZone: validZone(zone) ? zone : 'UTC', year: 'numeric', month: '2-digit', day: '2-digit' })
      .formatToParts(new Date()).forEach(function (part) { parts[part.type] = part.value; });
    return parts.year + '-' + parts.month + '-' + parts.day;
  }

  function addDays(date, days) {
    var parts = date.split('-').map(Number);
    var moved = new Date(Date.UTC(parts[0], parts[1] - 1, parts[2] + days));
    return moved.toISOString().slice(0, 10);
  }

  // Formats an instant in the zone (the ISO text when the browser does not know it).
  function formatTime(at, zone) {
    try {
      return new Intl.DateTimeFormat(undefined, { timeZone: zone, dateStyle: 'medium', timeStyle: 'short' }).format(at);
    } catch (e) {
      return at.toISOString();
    }
  }

  function localTimes(root, zone) {
    Array.prototype.forEach.call(root.querySelectorAll('time[datetime]'), function (node) {
      var at = new Date(node.getAttribute('datetime'));
      if (!isNaN(at.getTime())) node.textContent = formatTime(at, zone);
    });
  }

  function timeElement(ms, zone) {
    var at = new Date(ms);
    return el('time', { datetime: at.toISOString() }, formatTime(at, zone));
  }

  // ---------------------------------------------------------------------------------
  // Stats: the per-day chart, the heatmap and the top lists

  function drawDays(days) {
    var box = $('chart-days');
    clear(box);
    // Drawn at the box's own width, so that the labels keep their size on a phone.
    var width = Math.max(300, Math.round(box.clientWidth || 720)), height = 200, top = 12, bottom = 22, left = 36;
    var max = days.reduce(function (m, day) { return Math.max(m, day.plays); }, 0);
    var scale = max > 0 ? (height - top - bottom) / max : 0;
    var chart = svg('svg', { viewBox: '0 0 ' + width + ' ' + height, 'aria-hidden': 'true', focusable: 'false' });
    var step = (width - left) / Math.max(days.length, 1);
    chart.appendChild(svg('line', { x1: left, y1: height - bottom, x2: width, y2: height - bottom, stroke: '#767676' }));
    var label = svg('text', { x: left - 4, y: top + 4, 'text-anchor': 'end', 'font-size': 11, fill: '#333' });
    label.textContent = String(max);
    chart.appendChild(label);
    days.forEach(function (day, index) {
      var barHeight = Math.max(day.plays * scale, day.plays > 0 ? 1 : 0);
      var bar = svg('rect', {
        x: (left + index * step + step * 0.1).toFixed(2),
        y: (height - bottom - barHeight).toFixed(2),
        width: Math.max(step * 0.8, 0.5).toFixed(2),
        height: barHeight.toFixed(2),
        fill: '#1b7f4b'
      });
      var title = svg('title');
      title.textContent = day.date + ': ' + plural(day.plays, 'play', 'plays') + ', ' + minutesText(day.minutes);
      bar.appendChild(title);
      chart.appendChild(bar);
    });
    if (days.length > 0) {
      [[0, 'start'], [days.length - 1, 'end']].forEach(function (pair) {
        var text = svg('text', {
          x: pair[1] === 'start' ? left : width, y: height - 6, 'text-anchor': pair[1], 'font-size': 11, fill: '#333'
        });
        text.textContent = days[pair[0]].date;
        chart.appendChild(text);
      });
    }
    box.appendChild(chart);
    var busiest = days.reduce(function (best, day) { return !best || day.plays > best.plays ? day : best; }, null);
    var total = days.reduce(function (sum, day) { return sum + day.plays; }, 0);
    var summary = 'Plays per day from ' + (days[0] ? days[0].date : '') + ' to ' +
      (days.length ? days[days.length - 1].date : '') + ': ' + plural(total, 'play', 'plays') + ' in all';
    if (busiest && busiest.plays > 0) summary += '; the busiest day was ' + busiest.date + ' with ' + plural(busiest.plays, 'play', 'plays');
    box.setAttribute('aria-label', summary + '. The table below lists every day.');

    var table = $('days-table');
    Array.prototype.slice.call(table.querySelectorAll('tr')).forEach(function (row) { row.remove(); });
    var head = el('tr');
    ['Day', 'Plays', 'Minutes'].forEach(function (name) { head.appendChild(el('th', { scope: 'col' }, name)); });
    table.appendChild(head);
    days.forEach(function (day) {
      var row = el('tr');
      row.appendChild(el('th', { scope: 'row' }, day.date));
      row.appendChild(el('td', {}, day.plays));
      row.appendChild(el('td', {}, day.minutes));
      table.appendChild(row);
    });
  }

  function drawHeatmap(heatmap) {
    var table = $('heatmap');
    Array.prototype.slice.call(table.querySelectorAll('tr')).forEach(function (row) { row.remove(); });
    var head = el('tr');
    head.appendChild(el('td'));
    for (var hour = 0; hour < 24; hour++) head.appendChild(el('th', { scope: 'col', title: hour + ':00' }, hour));
    table.appendChild(head);
    heatmap.plays.forEach(function (hours, weekday) {
      var row = el('tr');
      row.appendChild(el('th', { scope: 'row', title: WEEKDAYS[weekday] }, heatmap.weekdays[weekday]));
      hours.forEach(function (plays, hour) {
        var share = heatmap.max > 0 ? plays / heatmap.max : 0;
        var lightness = 97 - Math.round(share * 72);
        var cell = el('td', { title: WEEKDAYS[weekday] + ' ' + hour + ':00–' + (hour + 1) + ':00: ' + plural(plays, 'play', 'plays') }, plays || '');
        cell.style.background = 'hsl(148, 55%, ' + lightness + '%)';
        cell.style.color = lightness < 55 ? '#fff' : '#111';
        row.appendChild(cell);
      });
      table.appendChild(row);
    });
  }

  function drawTops(stats) {
    var lists = [
      ['top-artists', stats.top_artists, function (item) { return item.name; }],
      ['top-tracks', stats.top_tracks, function (item) { return item.name + ' — ' + item.artist_names; }],
      ['top-albums', stats.top_albums, function (item) { return item.name; }]
    ];
    lists.forEach(function (list) {
      var node = $(list[0]);
      clear(node);
      if (!list[1].length) node.appendChild(el('li', { class: 'muted' }, 'Nothing in this range.'));
      list[1].forEach(function (item) {
        var li = el('li');
        li.appendChild(el('span', {}, list[2](item)));
        li.appendChild(el('span', { class: 'muted' }, ' · ' + plural(item.plays, 'play', 'plays') + ', ' + minutesText(item.minutes)));
        node.appendChild(li);
      });
    });
  }

  function loadStats() {
    var from = $('range-from').value, to = $('range-to').value, zone = currentZone();
    var summary = $('stats-summary');
    if (!from || !to) { summary.textContent = 'Choose both dates.'; return; }
    if (to < from) { summary.textContent = '"From" must not be after "To".'; return; }
    summary.textContent = 'Loading…';
    var query = 'from=' + encodeURIComponent(from) + '&to=' + encodeURIComponent(addDays(to, 1)) +
      '&tz=' + encodeURIComponent(zone) + '&limit=10';
    api('/api/stats?' + query).then(function (stats) {
      drawDays(stats.days);
      drawHeatmap(stats.heatmap);
      drawTops(stats);
      summary.textContent = plural(stats.totals.plays, 'play', 'plays') + ' (' + minutesText(stats.totals.minutes) + ') of ' +
        plural(stats.totals.distinct_tracks, 'track', 'tracks') + ' on ' + plural(stats.totals.listening_days, 'day', 'days') +
        ', ' + from + ' to ' + to + ' (' + stats.range.time_zone + ').';
      localTimes(document, stats.range.time_zone);
    }).catch(function (error) { summary.textContent = error.message; });
  }

  function applyPreset() {
    var preset = $('range-preset').value;
    if (preset === 'custom') return;
    var end = today(currentZone());
    $('range-to').value = end;
    $('range-from').value = addDays(end, 1 - Number(preset));
  }

  // ---------------------------------------------------------------------------------
  // The timeline: older pages, with their gaps

  var knownGaps = null;

  function gapKey(from, to) { return from + '-' + to; }

  function shownGaps() {
    var shown = {};
    Array.prototype.forEach.call(document.querySelectorAll('#timeline li.gap'), function (node) {
      shown[gapKey(node.getAttribute('data-from'), node.getAttribute('data-to'))] = true;
    });
    return shown;
  }

  function gapItem(gap, zone) {
    var li = el('li', { class: 'gap', role: 'note', 'data-from': gap.gap_from, 'data-to': gap.gap_to });
    li.appendChild(document.createTextNode('Possible gap: plays between '));
    li.appendChild(timeElement(gap.gap_from, zone));
    li.appendChild(document.createTextNode(' and '));
    li.appendChild(timeElement(gap.gap_to, zone));
    li.appendChild(document.createTextNode(' may be missing (' + gap.reason.replace(/_/g, ' ') + ').'));
    return li;
  }

  function playItem(play, zone) {
    var li = el('li', { class: 'play', 'data-played-at': play.played_at, 'data-id': play.id });
    li.appendChild(play.image_url
      ? el('img', { src: play.image_url, alt: '', loading: 'lazy', width: 48, height: 48 })
      : el('span', { class: 'cover', 'aria-hidden': 'true' }));
    var text = el('span');
    text.appendChild(el('strong', {}, play.track_name));
    text.appendChild(el('br'));
    text.appendChild(el('span', { class: 'muted' }, (play.artist_names || 'Unknown artist') + ' · ' + (play.album_name || '')));
    text.appendChild(el('br'));
    text.appendChild(timeElement(play.played_at, zone));
    li.appendChild(text);
    return li;
  }

  function appendPlays(plays, last) {
    var timeline = $('timeline'), zone = currentZone(), shown = shownGaps();
    var gaps = (knownGaps || []).filter(function (gap) { return !shown[gapKey(gap.gap_from, gap.gap_to)]; });
    plays.forEach(function (play) {
      while (gaps.length && gaps[0].gap_to > play.played_at) timeline.appendChild(gapItem(gaps.shift(), zone));
      timeline.appendChild(playItem(play, zone));
    });
    if (last) gaps.forEach(function (gap) { timeline.appendChild(gapItem(gap, zone)); });
  }

  function loadOlder() {
    var timeline = $('timeline'), button = $('load-more');
    var before = timeline.getAttribute('data-next-before'), beforeId = timeline.getAttribute('data-next-before-id');
    if (!before) { button.hidden = true; return; }
    button.disabled = true;
    var gaps = knownGaps ? Promise.resolve(knownGaps) : api('/api/gaps').then(function (body) {
      knownGaps = body.gaps.slice().sort(function (a, b) { return b.gap_to - a.gap_to; });
      return knownGaps;
    });
    gaps.then(function () {
      return api('/api/plays?limit=50&before=' + encodeURIComponent(before) + '&before_id=' + encodeURIComponent(beforeId));
    }).then(function (page) {
      var last = page.next_before === null;
      appendPlays(page.plays, last);
      if (last) {
        timeline.removeAttribute('data-next-before');
        button.hidden = true;
      } else {
        timeline.setAttribute('data-next-before', page.next_before);
        timeline.setAttribute('data-next-before-id', page.next_before_id);
      }
      button.disabled = false;
    }).catch(function (error) {
      button.disabled = false;
      $('stats-summary').textContent = error.message;
    });
  }

  // Newest plays that arrived since the page was drawn go on top.
  function refreshNewest() {
    var timeline = $('timeline'), zone = currentZone();
    var first = timeline.querySelector('li.play');
    var newest = first ? Number(first.getAttribute('data-played-at')) : 0;
    return api('/api/plays?limit=50').then(function (page) {
      var fresh = page.plays.filter(function (play) { return play.played_at > newest; });
      var empty = $('timeline-empty');
      if (fresh.length && empty) empty.remove();
      fresh.reverse().forEach(function (play) { timeline.insertBefore(playItem(play, zone), timeline.firstChild); });
    });
  }

  // ---------------------------------------------------------------------------------
  // Archive now

  var availableTimer = null;

  function holdUntil(availableAt) {
    var button = $('archive-now');
    if (!availableAt || availableAt <= Date.now()) { button.disabled = false; return; }
    button.disabled = true;
    clearTimeout(availableTimer);
    availableTimer = setTimeout(function () { button.disabled = false; }, Math.min(availableAt - Date.now(), 2147483647));
  }

  // The list is busy (aria-busy) from an archive's request until its plays are on it.
  function settled() { $('timeline').removeAttribute('aria-busy'); }

  function watchArchive(deadline) {
    api('/api/status').then(function (status) {
      $('plays-archived').textContent = status.plays_archived;
      if (status.archive_pending && Date.now() < deadline) {
        setTimeout(function () { watchArchive(deadline); }, 4000);
        return;
      }
      var text = status.archive_pending
        ? 'Still waiting for the archive; it will finish in the background.'
        : 'Archive finished: ' + plural(status.plays_archived, 'play', 'plays') + ' archived in all.';
      $('archive-status').textContent = text;
      if (status.archive_pending) { settled(); return; }
      refreshNewest().then(settled, settled);
    }).catch(settled);
  }

  function archiveNow(event) {
    event.preventDefault();
    var button = $('archive-now'), status = $('archive-status');
    button.disabled = true;
    status.textContent = 'Asking for an archive…';
    api('/api/archive', { method: 'POST' }).then(function (body) {
      status.textContent = 'Archive requested; it usually finishes within a minute.';
      $('timeline').setAttribute('aria-busy', 'true');
      holdUntil(body.archive_available_at);
      setTimeout(function () { watchArchive(Date.now() + 180000); }, 3000);
    }).catch(function (error) {
      if (error.status === 429) {
        var at = error.body.archive_available_at;
        status.textContent = 'You asked a moment ago. You can ask again in ' +
          plural(error.body.retry_after_seconds, 'second', 'seconds') + '.';
        holdUntil(at);
      } else {
        status.textContent = error.message;
        button.disabled = error.status === 409;
      }
    });
  }

  // ---------------------------------------------------------------------------------
  // Settings

  function saveSettings(event) {
    event.preventDefault();
    var input = $('time-zone'), status = $('settings-status');
    var value = input.value.trim();
    api('/api/settings', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ time_zone: value || null })
    }).then(function (body) {
      status.textContent = 'Saved: ' + body.time_zone + '.';
      input.value = body.time_zone_saved ? body.time_zone : '';
      $('range-tz').value = body.time_zone;
      offerDeviceZone();
      applyPreset();
      loadStats();
    }).catch(function (error) { status.textContent = error.message; });
  }

  function offerDeviceZone() {
    var button = $('use-device-zone'), zone = deviceZone();
    if (!button) return;
    button.hidden = $('time-zone').value === zone;
    button.textContent = 'Use this device\'s zone (' + zone + ')';
  }

  // ---------------------------------------------------------------------------------

  function start() {
    if (!$('timeline')) return;
    localTimes(document, currentZone());
    if ($('archive-now').hasAttribute('data-available-at')) holdUntil(Number($('archive-now').getAttribute('data-available-at')));
    $('archive-form').addEventListener('submit', archiveNow);
    $('range-preset').addEventListener('change', function () { applyPreset(); if ($('range-preset').value !== 'custom') loadStats(); });
    ['range-from', 'range-to'].forEach(function (id) {
      $(id).addEventListener('change', function () { $('range-preset').value = 'custom'; });
    });
    $('range-form').addEventListener('submit', function (event) { event.preventDefault(); loadStats(); });
    $('load-more').addEventListener('click', loadOlder);
    $('settings-form').addEventListener('submit', saveSettings);
    $('use-device-zone').addEventListener('click', function () { $('time-zone').value = deviceZone(); $('time-zone').focus(); });
    offerDeviceZone();
    if ($('archive-status').textContent.indexOf('on its way') >= 0) watchArchive(Date.now() + 180000);
    applyPreset();
    loadStats();
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
