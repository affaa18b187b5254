// One video's page: its views and rank in every window now (GET /videos/{id}/views) and its views per minute, hour,
// day and month (GET /videos/{id}/views/series), drawn with Chart.js, which the service serves itself. Opened from
// the leaderboard as /video?id=<id>; deployments with READ_API_KEY add #key=<the key>, which never leaves the browser.
const videoId = new URLSearchParams(location.search).get('id') ?? '';
const apiKey = new URLSearchParams(location.hash.slice(1)).get('key');
const headers = apiKey ? { 'X-Api-Key': apiKey } : {};
const REFRESH_MS = 10_000;
const WINDOW_TITLES = { 'last-hour': 'Last 60 minutes', hour: 'This hour', day: 'Today', month: 'This month', 'all-time': 'All time' };
const GRAINS = [
  ['minute', 'Views per minute, last 60 minutes', (start) => start.slice(11, 16)],
  ['hour', 'Views per hour, last 48 hours', (start) => `${start.slice(5, 10)} ${start.slice(11, 13)}h`],
  ['day', 'Views per day, last 35 days', (start) => start.slice(5, 10)],
  ['month', 'Views per month, last 13 months', (start) => start.slice(0, 7)],
];

document.getElementById('back').href = `/${apiKey ? `#key=${encodeURIComponent(apiKey)}` : ''}`;
document.getElementById('title').textContent = videoId;
document.title = `${videoId} — viewrank`;
const main = document.querySelector('main');
const status = document.getElementById('status');

for (const [grain, title] of GRAINS) {
  const section = document.createElement('section');
  section.dataset.grain = grain;
  section.innerHTML =
    '<h2></h2><figure><div class="chart"><canvas role="img"></canvas></div><figcaption class="muted"></figcaption></figure>';
  section.querySelector('h2').textContent = title;
  main.appendChild(section);
}

async function getJson(url) {
  const response = await fetch(url, { headers, cache: 'no-store' });
  const body = await response.json();
  if (!response.ok) throw new Error(Array.isArray(body.message) ? body.message.join('; ') : body.message);
  return body;
}

const path = `/videos/${encodeURIComponent(videoId)}/views`;

async function loadRanks() {
  const body = await getJson(path);
  const rows = body.windows.map((w) => {
    const tr = document.createElement('tr');
    tr.dataset.window = w.window;
    for (const [text, cls] of [
      [WINDOW_TITLES[w.window], ''],
      [w.views.toLocaleString('en'), 'num'],
      [w.rank === null ? 'not in the top 1000' : `#${w.rank}`, 'num rank'],
    ]) {
      const td = tr.appendChild(Object.assign(document.createElement('td'), { className: cls }));
      td.textContent = text;
    }
    return tr;
  });
  document.querySelector('#ranks tbody').replaceChildren(...rows);
}

const charts = new Map();

async function loadSeries(grain, label) {
  const body = await getJson(`${path}/series?grain=${grain}`);
  const section = document.querySelector(`section[data-grain="${grain}"]`);
  const views = body.buckets.map((b) => b.views);
  const total = views.reduce((a, b) => a + b, 0);
  const peak = body.buckets.reduce((best, b) => (b.views > best.views ? b : best), body.buckets[0]);
  const caption = `${total.toLocaleString('en')} views from ${body.from.slice(0, 16).replace('T', ' ')} to ${body.to.slice(0, 16).replace('T', ' ')} UTC; most: ${peak.views.toLocaleString('en')} (${label(peak.start)})`;
  section.querySelector('figcaption').textContent = caption;
  const canvas = section.querySelector('canvas');
  canvas.setAttribute('aria-label', caption);
  section.dataset.views = views.join(',');
  const data = { labels: body.buckets.map((b) => label(b.start)), datasets: [{ label: 'views', data: views, backgroundColor: '#5eb1ff' }] };
  const chart = charts.get(grain);
  if (chart) {
    chart.data = data;
    chart.update('none');
    return;
  }
  charts.set(
    grain,
    new Chart(canvas, {
      type: 'bar',
      data,
      options: {
        animation: false,
        maintainAspectRatio: false,
        plugins: { legend: { display: false } },
        scales: {
          x: { ticks: { color: '#8b91a1', maxRotation: 0, autoSkipPadding: 12 }, grid: { display: false } },
          y: { beginAtZero: true, ticks: { color: '#8b91a1', precision: 0 }, grid: { color: '#262a33' } },
        },
      },
    }),
  );
}

async function refresh() {
  try {
    await Promise.all([loadRanks(), ...GRAINS.map(([grain, , label]) => loadSeries(grain, label))]);
    status.textContent = `as of ${new Date().toISOString().slice(11, 19)} UTC`;
    status.className = 'muted';
  } catch (error) {
    status.textContent = `unavailable: ${error.message}`;
    status.className = 'error';
  }
  document.body.dataset.loads = String(Number(document.body.dataset.loads ?? 0) + 1);
}

refresh();
setInterval(refresh, REFRESH_MS);
