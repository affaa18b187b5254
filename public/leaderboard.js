// Reads the same public API as any client: GET /views/top-k/stream, one Server-Sent Events stream per window, each
// event the list and window headers GET /views/top-k would answer, with each entry's previousRank (movement=true).
// fetch() reads the stream rather than EventSource, which cannot send the X-Api-Key header that deployments with
// READ_API_KEY require. Each row has a small chart of the video's views in the last 60 minutes
// (GET /views/series, many videos a request), drawn on a canvas.
const WINDOWS = [
  ['last-hour', 'Last 60 minutes'],
  ['hour', 'This hour'],
  ['day', 'Today'],
  ['month', 'This month'],
  ['all-time', 'All time'],
];
const RECONNECT_MS = 3000;
// Deployments that set READ_API_KEY open the page as /#key=<the key>: the fragment never leaves the browser.
// #k=25 or #k=100 shows that many from the start.
const fragment = new URLSearchParams(location.hash.slice(1));
const apiKey = fragment.get('key');
const headers = apiKey ? { 'X-Api-Key': apiKey } : {};
const boards = document.getElementById('boards');
const kSelect = document.getElementById('k');
if ([...kSelect.options].some((option) => option.value === fragment.get('k'))) kSelect.value = fragment.get('k');

for (const [window, title] of WINDOWS) {
  const section = document.createElement('section');
  section.dataset.window = window;
  section.innerHTML =
    '<h2><span class="title"></span><span class="fresh muted"></span></h2><div class="range muted"></div><table><tbody></tbody></table>';
  section.querySelector('.title').textContent = title;
  boards.appendChild(section);
}

const utc = (iso) => iso.slice(0, 16).replace('T', ' ');
const keyFragment = apiKey ? `#key=${encodeURIComponent(apiKey)}` : '';

/** Where the entry stood before: a symbol and a number, so that it reads without colour too. */
function movement(rank, previousRank) {
  if (previousRank === undefined) return { text: '', label: '' };
  if (previousRank === null) return { text: 'new', label: 'new in the top 1000', cls: 'new' };
  if (previousRank === rank) return { text: '=', label: 'same place as before', cls: 'same' };
  const up = previousRank > rank;
  const by = Math.abs(previousRank - rank);
  return { text: `${up ? '▲' : '▼'} ${by}`, label: `${up ? 'up' : 'down'} ${by} from ${previousRank}`, cls: up ? 'up' : 'down' };
}

// The small charts: each video's last 60 minutes, fetched at most once a minute, for many videos in one request
// (GET /views/series, at most SERIES_VIDEOS ids and SERIES_URL_CHARS of URL each), one request at a time: the page's
// five streams hold five of the six connections a browser opens to a host. Drawn on one canvas per window and video
// that moves with its row (draw, below).
const SERIES_VIDEOS = 100;
const SERIES_URL_CHARS = 6000;
const SERIES_EVERY_MS = 60_000;
const SPARK_WIDTH = 60;
const SPARK_HEIGHT = 20;
const series = new Map(); // videoId -> { at, buckets?, queued }
const queue = [];
let fetching = false;
const sparks = new Map(); // `${window}\n${videoId}` -> canvas with its chart

function sparkline(window, videoId) {
  const key = `${window}\n${videoId}`;
  let canvas = sparks.get(key);
  if (!canvas) {
    canvas = document.createElement('canvas');
    canvas.width = SPARK_WIDTH;
    canvas.height = SPARK_HEIGHT;
    canvas.style.width = `${SPARK_WIDTH}px`;
    canvas.style.height = `${SPARK_HEIGHT}px`;
    canvas.setAttribute('role', 'img');
    sparks.set(key, canvas);
  }
  let entry = series.get(videoId);
  if (!entry || Date.now() - entry.at > SERIES_EVERY_MS) {
    if (!entry?.queued) {
      entry = { at: Date.now(), buckets: entry?.buckets, queued: true };
      series.set(videoId, entry);
      queue.push(videoId);
      // After the rows of the other windows' first lists, which arrive together: fewer, fuller requests.
      setTimeout(pump, 0);
    }
  }
  if (entry.buckets && canvas.dataset.drawnAt !== String(entry.at)) draw(canvas, videoId, entry);
  return canvas;
}

/** The next request's videos: as many queued as fit, each id once. */
function nextBatch() {
  const ids = [];
  let chars = 0;
  while (queue.length > 0 && ids.length < SERIES_VIDEOS) {
    const param = encodeURIComponent(queue[0]).length + 9; // &videoId=
    if (ids.length > 0 && chars + param > SERIES_URL_CHARS) break;
    ids.push(queue.shift());
    chars += param;
  }
  return ids;
}

function pump() {
  if (fetching || queue.length === 0) return;
  fetching = true;
  const ids = nextBatch();
  const query = new URLSearchParams(ids.map((id) => ['videoId', id]));
  const done = (body) => {
    const starts = body?.starts ?? [];
    const views = new Map((body?.videos ?? []).map((v) => [v.videoId, v.views]));
    for (const videoId of ids) {
      const entry = series.get(videoId);
      entry.queued = false;
      if (!views.has(videoId)) {
        if (!body) entry.at = 0; // not answered (a 503 to retry): asked for again at its row's next update
        continue;
      }
      entry.buckets = starts.map((start, i) => ({ start, views: views.get(videoId)[i] }));
      entry.at = Date.now();
      for (const [key, canvas] of sparks) if (key.endsWith(`\n${videoId}`)) draw(canvas, videoId, entry);
    }
    if (performance.getEntriesByName('charts').length === 0 && [...boards.children].every((section) => section.dataset.updatedAt)) {
      if (document.querySelector('td.spark canvas:not([data-drawn-at])') === null) performance.mark('charts');
    }
  };
  fetch(`/views/series?grain=minute&${query}`, { headers, cache: 'no-store' })
    .then((response) => (response.ok ? response.json() : undefined))
    .then(done, () => done(undefined))
    .finally(() => {
      fetching = false;
      pump();
    });
}

/**
 * Draws the video's last 60 minutes as a line on its row's canvas, scaled to its own peak, with the 2D canvas API:
 * a line of 60 points needs no chart library, whose set-up per chart (about 9 ms each on a busy machine, 4.6 s for the
 * 500 rows of five top 100s) kept the page from showing in a second. The video's page draws its charts with Chart.js.
 */
function draw(canvas, videoId, entry) {
  const views = entry.buckets.map((b) => b.views);
  const total = views.reduce((a, b) => a + b, 0);
  canvas.setAttribute('aria-label', `${videoId}: ${total} views in the last 60 minutes, ${views[views.length - 1]} this minute`);
  canvas.title = `${total.toLocaleString('en')} views in the last 60 minutes`;
  canvas.dataset.drawnAt = String(entry.at);
  canvas.dataset.views = views.join(',');
  const ratio = window.devicePixelRatio || 1;
  if (canvas.width !== SPARK_WIDTH * ratio) {
    canvas.width = SPARK_WIDTH * ratio;
    canvas.height = SPARK_HEIGHT * ratio;
  }
  const context = canvas.getContext('2d');
  context.setTransform(ratio, 0, 0, ratio, 0, 0);
  context.clearRect(0, 0, SPARK_WIDTH, SPARK_HEIGHT);
  const peak = Math.max(1, ...views);
  const step = (SPARK_WIDTH - 2) / Math.max(1, views.length - 1);
  context.beginPath();
  views.forEach((v, i) => context[i === 0 ? 'moveTo' : 'lineTo'](1 + i * step, SPARK_HEIGHT - 1 - (v / peak) * (SPARK_HEIGHT - 2)));
  context.lineWidth = 1.2;
  context.lineJoin = 'round';
  context.strokeStyle = '#5eb1ff';
  context.stroke();
}

function render(section, list) {
  const fresh = section.querySelector('.fresh');
  const at = list.headers['X-Computed-At'];
  const stale = list.headers['X-Stale'] === 'true';
  fresh.textContent = `${stale ? 'stale: ' : ''}as of ${at.slice(11, 19)} UTC`;
  fresh.className = `fresh ${stale ? 'stale' : 'muted'}`;
  fresh.title = '';
  const start = list.headers['X-Window-Start'];
  const end = list.headers['X-Window-End'];
  section.querySelector('.range').textContent = start && end ? `${utc(start)} – ${utc(end)}` : 'since the first view';
  const window = section.dataset.window;
  // Without a list to compare with (none an hour ago), no movement is shown rather than "new" everywhere.
  const compared = list.headers['X-Previous-Computed-At'] !== undefined;
  const rows = list.body.map((entry, i) => {
    const tr = document.createElement('tr');
    const cell = (cls) => tr.appendChild(Object.assign(document.createElement('td'), { className: cls }));
    cell('rank').textContent = String(i + 1);
    const move = movement(i + 1, compared ? entry.previousRank : undefined);
    const moveCell = cell(`move ${move.cls ?? ''}`);
    moveCell.textContent = move.text;
    moveCell.title = move.label;
    const link = cell('video').appendChild(document.createElement('a'));
    link.href = `/video?id=${encodeURIComponent(entry.videoId)}${keyFragment}`;
    link.textContent = entry.videoId;
    link.title = entry.videoId;
    cell('spark').appendChild(sparkline(window, entry.videoId));
    cell('views').textContent = entry.views.toLocaleString('en');
    return tr;
  });
  // Charts of videos that left this list go with them.
  const shown = new Set(list.body.map((entry) => `${window}\n${entry.videoId}`));
  for (const key of sparks.keys()) if (key.startsWith(`${window}\n`) && !shown.has(key)) sparks.delete(key);
  if (rows.length === 0) rows.push(Object.assign(document.createElement('tr'), { innerHTML: '<td class="muted">no views yet</td>' }));
  section.querySelector('tbody').replaceChildren(...rows);
  // When the page first showed each list, and every row's chart (performance marks, read by the benchmark).
  if (!section.dataset.updatedAt) performance.mark(`list ${window}`);
  section.dataset.updatedAt = String(Date.now());
  document.body.dataset.updates = String(Number(document.body.dataset.updates ?? 0) + 1);
}

function unavailable(section, message) {
  const fresh = section.querySelector('.fresh');
  fresh.textContent = 'unavailable';
  fresh.className = 'fresh error';
  fresh.title = message;
}

/** Follows one window's stream until `signal` aborts it; reconnects after an error or an end. */
async function follow(section, k, signal) {
  const window = section.dataset.window;
  while (!signal.aborted) {
    try {
      const response = await fetch(`/views/top-k/stream?window=${window}&k=${k}&movement=true`, { headers, signal, cache: 'no-store' });
      if (!response.ok) {
        const body = await response.json();
        throw new Error(Array.isArray(body.message) ? body.message.join('; ') : body.message);
      }
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = block
            .split('\n')
            .filter((line) => line.startsWith('data:'))
            .map((line) => line.slice(5).trimStart())
            .join('\n');
          if (data) render(section, JSON.parse(data));
        }
      }
    } catch (error) {
      if (signal.aborted) return;
      unavailable(section, error.message);
    }
    await new Promise((resolve) => setTimeout(resolve, RECONNECT_MS));
  }
}

let streams = new AbortController();
function followAll() {
  streams.abort();
  streams = new AbortController();
  for (const section of boards.children) follow(section, kSelect.value, streams.signal);
}
kSelect.addEventListener('change', followAll);
followAll();
