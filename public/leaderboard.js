// Reads the same public API as any client: GET /views/top-k/stream, one Server-Sent Events stream per window, each
// event the list and window headers GET /views/top-k would answer. fetch() reads the stream rather than EventSource,
// which cannot send the X-Api-Key header that deployments with READ_API_KEY require.
const WINDOWS = [
  ['last-hour', 'Last 60 minutes'],
  ['hour', 'This hour'],
  ['day', 'Today'],
  ['month', 'This month'],
  ['all-time', 'All time'],
];
const RECONNECT_MS = 3000;
// Deployments that set READ_API_KEY open the page as /#key=<the key>: the fragment never leaves the browser.
const apiKey = new URLSearchParams(location.hash.slice(1)).get('key');
const headers = apiKey ? { 'X-Api-Key': apiKey } : {};
const boards = document.getElementById('boards');
const kSelect = document.getElementById('k');

for (const [window, title] of WINDOWS) {
  const section = document.createElement('section');
  section.dataset.window = window;
  section.innerHTML =
    '<h2><span class="title"></span><span class="fresh muted"></span></h2><div class="range muted"></div><table><tbody></tbody></table>';
  section.querySelector('.title').textContent = title;
  boards.appendChild(section);
}

const utc = (iso) => iso.slice(0, 16).replace('T', ' ');

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
  const rows = list.body.map((entry, i) => {
    const tr = document.createElement('tr');
    for (const [cls, text] of [
      ['rank', i + 1],
      ['video', entry.videoId],
      ['views', entry.views.toLocaleString('en')],
    ]) {
      const td = document.createElement('td');
      td.className = cls;
      td.textContent = String(text);
      if (cls === 'video') td.title = entry.videoId;
      tr.appendChild(td);
    }
    return tr;
  });
  if (rows.length === 0) rows.push(Object.assign(document.createElement('tr'), { innerHTML: '<td class="muted">no views yet</td>' }));
  section.querySelector('tbody').replaceChildren(...rows);
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
      const response = await fetch(`/views/top-k/stream?window=${window}&k=${k}`, { headers, signal, cache: 'no-store' });
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
