// The daemon's status page (docs/display-output.md "Status page"). Plain script, no framework: it polls /status and
// /ships and draws them with Leaflet (no tiles, no network beyond this server).
// Every string shown comes from the server and, for ship names and reasons, from the radio: a hostile transmitter.
// It is only ever set as textContent, never as markup; the server's Content-Security-Policy forbids inline script.
'use strict';

(function () {
  /** Position reports come every 2–10 s; a 2-s poll shows each one. */
  const POLL_MS = 2000;
  const RESULTS = ['V', 'D', 'P', 'U', 'F'];
  const WORDS = { V: 'verified', D: 'decrypted', P: 'pending', U: 'unverified', F: 'rejected' };

  /** @param {string} tag @param {string | number | undefined} text @param {string} [cls] */
  function el(tag, text, cls) {
    const e = document.createElement(tag);
    if (text !== undefined) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }
  /** @param {string} id @param {unknown} text */
  function setText(id, text) {
    const e = document.getElementById(id);
    if (e) e.textContent = text === undefined || text === null ? '—' : String(text);
  }
  /** @param {number | undefined} ms */
  function utc(ms) {
    return typeof ms === 'number' && Number.isFinite(ms) ? new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, '') : '—';
  }
  /** Only the five known letters reach a class name. @param {unknown} r */
  function result(r) {
    return typeof r === 'string' && RESULTS.includes(r) ? r : 'U';
  }
  const mmsiText = (/** @type {number} */ n) => String(n).padStart(9, '0');

  const map = L.map('map', { attributionControl: false, zoomSnap: 0.25, preferCanvas: false }).setView([57.7, 11.9], 9);
  L.control.scale({ imperial: false, metric: true }).addTo(map);
  // Its own pane under the markers' (overlayPane, z-index 400), so grid lines never cross a marker.
  map.createPane('graticule').style.zIndex = '350';
  const graticule = L.layerGroup().addTo(map);
  const shipLayer = L.layerGroup().addTo(map);
  /** @type {Map<number, any>} */
  const markers = new Map();
  let fittedCount = -1;

  function drawGraticule() {
    graticule.clearLayers();
    const b = map.getBounds();
    const span = Math.max(b.getNorth() - b.getSouth(), b.getEast() - b.getWest());
    const steps = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 30];
    const step = steps.find((s) => span / s <= 8) || 30;
    const style = { className: 'graticule', interactive: false, weight: 1, pane: 'graticule' };
    for (let lat = Math.ceil(b.getSouth() / step) * step; lat <= b.getNorth(); lat += step) {
      graticule.addLayer(L.polyline([[lat, b.getWest()], [lat, b.getEast()]], style));
    }
    for (let lon = Math.ceil(b.getWest() / step) * step; lon <= b.getEast(); lon += step) {
      graticule.addLayer(L.polyline([[b.getSouth(), lon], [b.getNorth(), lon]], style));
    }
  }
  map.on('moveend', drawGraticule);
  drawGraticule();

  /** @param {any} ship */
  function tooltip(ship) {
    const box = el('div');
    box.appendChild(el('strong', mmsiText(ship.mmsi)));
    if (ship.name) box.appendChild(el('span', ' ' + ship.name, 'ship-name'));
    const r = result(ship.result);
    box.appendChild(el('div', r + ' ' + WORDS[r] + (ship.reason ? ' — ' + ship.reason : '')));
    return box;
  }

  /** @param {any} snapshot */
  function drawShips(snapshot) {
    const ships = Array.isArray(snapshot.ships) ? snapshot.ships : [];
    const seen = new Set();
    const tbody = document.querySelector('#ships tbody');
    const rows = [];
    const counts = { V: 0, D: 0, P: 0, U: 0, F: 0 };
    for (const ship of ships) {
      if (typeof ship.mmsi !== 'number') continue;
      const r = result(ship.result);
      counts[r] += 1;
      seen.add(ship.mmsi);
      if (typeof ship.lat === 'number' && typeof ship.lon === 'number') {
        let m = markers.get(ship.mmsi);
        if (m === undefined) {
          m = L.circleMarker([ship.lat, ship.lon], { radius: 7, weight: 2, className: 'ship status-' + r });
          m.bindTooltip(tooltip(ship));
          m.addTo(shipLayer);
          markers.set(ship.mmsi, m);
          m.getElement().setAttribute('data-mmsi', String(ship.mmsi));
        } else {
          m.setLatLng([ship.lat, ship.lon]);
          m.setTooltipContent(tooltip(ship));
        }
        const e = m.getElement();
        e.setAttribute('class', 'leaflet-interactive ship status-' + r);
        e.setAttribute('data-result', r);
      }
      const tr = el('tr', undefined, 'status-' + r);
      tr.setAttribute('data-mmsi', String(ship.mmsi));
      const badge = el('td');
      badge.appendChild(el('span', r, 'badge status-' + r));
      tr.appendChild(badge);
      tr.appendChild(el('td', mmsiText(ship.mmsi), 'mmsi'));
      tr.appendChild(el('td', ship.name || '', 'name'));
      tr.appendChild(el('td', ship.reason || '', 'reason'));
      tr.appendChild(el('td', ship.lastFailure ? ship.lastFailure.reason + ' ' + utc(ship.lastFailure.atMs) : '', 'failure'));
      tr.appendChild(el('td', typeof ship.lat === 'number' ? ship.lat.toFixed(4) + ', ' + ship.lon.toFixed(4) : '—'));
      tr.appendChild(el('td', utc(ship.heardMs)));
      const c = ship.counts || {};
      tr.appendChild(el('td', RESULTS.map((k) => Number(c[k]) || 0).join('/'), 'counts'));
      rows.push(tr);
    }
    tbody.replaceChildren(...rows);
    for (const [mmsi, m] of markers) {
      if (!seen.has(mmsi)) {
        shipLayer.removeLayer(m);
        markers.delete(mmsi);
      }
    }
    setText('ship-count', '(' + ships.length + ' of at most ' + snapshot.limit + ': ' + RESULTS.map((k) => k + ' ' + counts[k]).join(' · ') + ')');
    if (markers.size > 0 && markers.size !== fittedCount) {
      fittedCount = markers.size;
      const bounds = L.latLngBounds([...markers.values()].map((m) => m.getLatLng()));
      map.fitBounds(bounds.pad(0.3), { maxZoom: 13 });
    }
  }

  /** @param {any} status */
  function drawStatus(status) {
    setText('state', status.state + (status.ready ? '' : ' (not ready)'));
    setText('mode', status.mode);
    setText('health', status.health);
    setText('relay', status.relay);
    setText('time', status.time ? (status.time.trusted ? 'GNSS confirmed' : 'not confirmed: ' + status.time.reason) : undefined);
    const alarms = Array.isArray(status.alarms) ? status.alarms : [];
    const list = document.getElementById('alarms');
    list.replaceChildren(
      ...(alarms.length === 0
        ? [el('li', 'none', 'none')]
        : alarms.map((/** @type {any} */ a) => {
            const li = el('li', undefined, 'alarm severity-' + (a.severity === 'alarm' ? 'alarm' : 'warning'));
            li.appendChild(el('strong', a.code));
            li.appendChild(el('span', ' ' + a.subject + ': ' + a.detail));
            li.title = a.text + ' (since ' + a.since + ')';
            return li;
          })),
    );
    const keys = Array.isArray(status.keys) ? status.keys : [];
    document.querySelector('#keys tbody').replaceChildren(
      ...keys.map((/** @type {any} */ k) => {
        const tr = el('tr', undefined, k.notAfter * 1000 < (typeof status.utcMs === 'number' ? status.utcMs : Date.now()) || k.installed === false ? 'expired' : '');
        tr.appendChild(el('td', k.kind));
        tr.appendChild(el('td', k.identity));
        tr.appendChild(el('td', utc(k.notAfter * 1000)));
        return tr;
      }),
    );
    const c = status.counters || {};
    /** @type {[string, unknown][]} */
    const rows = [
      ['radio lines in', c.lines && c.lines.radio && c.lines.radio.in],
      ['lines to the display', c.lines && c.lines.ship && c.lines.ship.out],
      ['own-ship secured', c.shipSecured],
      ['radio lines rejected', c.radioRejected],
      ['radio input dropped', c.radioInputDropped],
      ['pipeline errors', c.pipelineErrors],
      ['memory RSS (MiB)', status.memory && typeof status.memory.rssBytes === 'number' ? (status.memory.rssBytes / 1048576).toFixed(1) : undefined],
      ['WASM memory (MiB)', status.memory && typeof status.memory.wasmBytes === 'number' ? (status.memory.wasmBytes / 1048576).toFixed(1) : undefined],
    ];
    const p = status.pipeline || {};
    for (const name of Object.keys(p).sort()) if (p[name]) rows.push([name, p[name]]);
    document.querySelector('#counters tbody').replaceChildren(
      ...rows.filter(([, value]) => value !== undefined).map(([name, value]) => {
        const tr = el('tr');
        tr.appendChild(el('th', name));
        tr.appendChild(el('td', String(value)));
        return tr;
      }),
    );
  }

  async function get(path) {
    const res = await fetch(path, { credentials: 'same-origin', cache: 'no-store' });
    if (!res.ok) throw new Error(path + ': HTTP ' + res.status);
    return res.json();
  }

  async function poll() {
    const error = document.getElementById('error');
    try {
      const [status, ships] = await Promise.all([get('/status'), get('/ships')]);
      drawStatus(status);
      drawShips(ships);
      setText('updated', utc(Date.now()));
      document.body.setAttribute('data-updates', String(Number(document.body.getAttribute('data-updates') || '0') + 1));
      error.hidden = true;
    } catch (e) {
      error.textContent = 'status server not reachable: ' + (e instanceof Error ? e.message : String(e));
      error.hidden = false;
    } finally {
      setTimeout(poll, POLL_MS);
    }
  }
  poll();
})();
