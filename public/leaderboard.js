// Reads the same public API as any client: GET /views/top-k, one request per window.
const WINDOWS = [
  ['last-hour', 'Last 60 minutes'],
  ['hour', 'This hour'],
  ['day', 'Today'],
  ['month', 'This month'],
  ['all-time', 'All time'],
];
const REFRESH_MS = 3000;
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

async function load(section) {
  const window = section.dataset.window;
  const fresh = section.querySelector('.fresh');
  try {
    const response = await fetch(`/views/top-k?window=${window}&k=${kSelect.value}`, { cache: 'no-store', headers });
    const body = await response.json();
    if (!response.ok) throw new Error(Array.isArray(body.message) ? body.message.join('; ') : body.message);
    const age = Number(response.headers.get('Age') ?? 0);
    const stale = response.headers.get('X-Stale') === 'true';
    fresh.textContent = stale ? `stale: ${age} s old` : `${age} s ago`;
    fresh.className = `fresh ${stale ? 'stale' : 'muted'}`;
    const start = response.headers.get('X-Window-Start');
    const end = response.headers.get('X-Window-End');
    section.querySelector('.range').textContent = start && end ? `${utc(start)} – ${utc(end)}` : 'since the first view';
    const rows = body.map((entry, i) => {
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
  } catch (error) {
    fresh.textContent = 'unavailable';
    fresh.className = 'fresh error';
    fresh.title = error.message;
  }
}

async function tick() {
  await Promise.all([...boards.children].map(load));
  document.body.dataset.updates = String(Number(document.body.dataset.updates ?? 0) + 1);
  setTimeout(tick, REFRESH_MS);
}
kSelect.addEventListener('change', () => Promise.all([...boards.children].map(load)));
tick();
