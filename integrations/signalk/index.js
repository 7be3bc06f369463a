/**
 * Signal K server plugin for the mibc-ais appliance's display output (docs/display-output.md and
 * docs/integrations.md of mibc-ais): every `$PMIBV` status becomes `communication.aisSecurity` on the vessel it is
 * about, and a failed check raises `notifications.security.ais.verificationFailed` on the own vessel.
 *
 * Signal K plots a vessel from every AIS report, whoever sent it, and takes data from every connection; the status
 * has to say whether the report shown is the one that was vouched for. Four rules keep it honest:
 *   1. any AIS data for a vessel, from any source, first sets its status to U: a report no status follows (the
 *      appliance omits U under `displayStatuses: news`, another AIS source has none) is unverified;
 *   2. a V or D counts only when its report digest names the AIS message Signal K received just before it; otherwise
 *      the vessel gets U with reason REPORT_MISMATCH (something else was shown in between);
 *   3. a status counts only from the connections named in the plugin's settings (`providers`), and
 *      `communication.aisSecurity` written by anything else becomes U with reason UNTRUSTED_SOURCE: `$PMIBV` is not
 *      signed, so anyone who can feed Signal K a line could otherwise forge a V;
 *   4. F is shown as F with its reason, whatever was shown before: a failure is news, never a vouch.
 * A malformed status is refused and counted (MALFORMED_STATUS), never passed on.
 */
'use strict';

const { parseStatusFields } = require('./status-sentence.js');
const { ReportTracker } = require('./report-tracker.js');

const PLUGIN_ID = 'mibc-ais';
const STATUS_PATH = 'communication.aisSecurity';
const NOTIFICATION_PATH = 'notifications.security.ais.verificationFailed';
/** Failures only a forger or a misused key produces; the others (STALE, FRAGMENT_*, NO_KEY …) also come from a bad link or clock. */
const FORGERY_REASONS = new Set([
  'BAD_SIGNATURE', 'WRONG_SENDER', 'REPLAY', 'NO_MATCHING_REPORT', 'BAD_TAG', 'INVALID_MMSI',
  'UNTRUSTED_KEY_ISSUER', 'NOT_A_MEMBER', 'WRONG_ISSUER', 'WRONG_RECIPIENT',
]);
/** Signal K's own context prefixes by AIS message type (its VDM parser); the rest are vessels. */
const CONTEXT_PREFIX = { 4: 'atons.', 21: 'atons.', 9: 'aircraft.' };
const AIS_CONTEXT = /^(vessels|atons|aircraft|sar)\.urn:mrn:imo:mmsi:\d{9}$/;
const STATUS_INTERVAL_MS = 5000;

const contextOf = (mmsi, type) => `${CONTEXT_PREFIX[type] ?? 'vessels.'}urn:mrn:imo:mmsi:${mmsi}`;

function securityValue(status, overrides = {}) {
  return {
    status: status.result,
    mode: status.mode,
    identity: status.identity,
    messageType: status.messageType,
    time: status.second === null ? null : new Date(status.second * 1000).toISOString(),
    reason: status.reason,
    report: status.report,
    ...overrides,
  };
}

const unverified = (reason = null) => ({ status: 'U', mode: null, identity: null, messageType: null, time: null, reason, report: null });

function newCounters() {
  return {
    statuses: { V: 0, D: 0, P: 0, U: 0, F: 0, K: 0 },
    rejected: { MALFORMED_STATUS: 0, REPORT_MISMATCH: 0, UNTRUSTED_SOURCE: 0, INTERNAL: 0 },
    resets: 0,
  };
}

module.exports = function mibcAisPlugin(app) {
  let active = false;
  let parserRegistered = false;
  let counters = newCounters();
  let trusted = new Set();
  const tracker = new ReportTracker();
  /** Values this plugin made from a `$PMIBV`: the only ones rule 3 lets through, and only from a trusted connection. */
  let made = new WeakSet();
  const stops = [];

  /** Rule 2: one `$PMIBV` → a delta for the vessel it is about (or null); rules 3 and 4 follow in `guard`. */
  function onStatus(input) {
    if (!active) return null;
    try {
      const parsed = parseStatusFields(input.parts);
      if (!parsed.ok) {
        counters.rejected.MALFORMED_STATUS++;
        app.debug(`refused $PMIBV (${parsed.field}): ${input.sentence}`);
        return null;
      }
      const s = parsed.status;
      // A group key installed is about no vessel; counted only (from whichever connection: it vouches for nothing).
      if (s.result === 'K') {
        counters.statuses.K++;
        return null;
      }
      let mmsi = s.source;
      let type = s.messageType;
      let value = securityValue(s);
      if (s.result === 'V' || s.result === 'D') {
        // Checked here, in sentence order: the tracker has seen exactly the lines before this one.
        const shown = tracker.last;
        if (shown !== undefined && s.report !== null && shown.digest === s.report) {
          mmsi = shown.mmsi;
          type = shown.type;
        } else {
          value = securityValue(s, { status: 'U', reason: 'REPORT_MISMATCH' });
        }
      }
      made.add(value);
      return {
        context: contextOf(mmsi, type),
        updates: [{ timestamp: input.tags && input.tags.timestamp, values: [{ path: '', value: { mmsi } }, { path: STATUS_PATH, value }] }],
      };
    } catch (e) {
      counters.rejected.INTERNAL++;
      app.error(`$PMIBV handling failed: ${e && e.message}`);
      return null;
    }
  }

  function notifyFailure(value, mmsi) {
    const alarm = FORGERY_REASONS.has(value.reason);
    app.handleMessage(PLUGIN_ID, {
      context: app.selfContext,
      updates: [{
        values: [{
          path: NOTIFICATION_PATH,
          value: {
            state: alarm ? 'alarm' : 'warn',
            method: alarm ? ['visual', 'sound'] : ['visual'],
            message: `Secured AIS from MMSI ${mmsi} failed verification: ${value.reason ?? 'no reason given'}`,
            mmsi,
            reason: value.reason,
          },
        }],
      }],
    });
  }

  /** The MMSI a status value's update names (`path: ''`), else the context's. */
  function mmsiOf(update, context) {
    const named = update.values.find((v) => v.path === '' && v.value && typeof v.value.mmsi === 'string');
    return named ? named.value.mmsi : context.slice(context.lastIndexOf(':') + 1);
  }

  /** Rules 1, 3 and 4, on every delta before Signal K stores it. */
  function guard(delta, next) {
    try {
      if (active && delta && Array.isArray(delta.updates) && typeof delta.context === 'string' && delta.context !== app.selfContext) {
        for (const update of delta.updates) {
          if (!Array.isArray(update.values) || update.values.length === 0) continue;
          const statuses = update.values.filter((v) => v.path === STATUS_PATH);
          if (statuses.length === 0) {
            if (AIS_CONTEXT.test(delta.context)) {
              update.values.push({ path: STATUS_PATH, value: unverified() });
              counters.resets++;
            }
            continue;
          }
          const fromTrusted = update.source !== undefined && update.source !== null && trusted.has(update.source.label);
          for (const v of statuses) {
            if (!made.has(v.value) || !fromTrusted) {
              counters.rejected.UNTRUSTED_SOURCE++;
              v.value = unverified('UNTRUSTED_SOURCE');
              continue;
            }
            if (v.value.reason === 'REPORT_MISMATCH') counters.rejected.REPORT_MISMATCH++;
            else counters.statuses[v.value.status]++;
            if (v.value.status === 'F') notifyFailure(v.value, mmsiOf(update, delta.context));
          }
        }
      }
    } catch (e) {
      counters.rejected.INTERNAL++;
      app.error(`delta check failed: ${e && e.message}`);
    }
    next(delta);
  }

  function statusText() {
    const c = counters;
    const bad = Object.entries(c.rejected).filter(([, n]) => n > 0).map(([k, n]) => `${k}=${n}`).join(' ');
    return `from ${[...trusted].join(', ')}: V ${c.statuses.V} · D ${c.statuses.D} · P ${c.statuses.P} · U ${c.statuses.U} · F ${c.statuses.F} · K ${c.statuses.K}` +
      (bad ? `; refused: ${bad}` : '');
  }

  const onSentence = (line) => {
    if (active && typeof line === 'string') tracker.push(line);
  };

  return {
    id: PLUGIN_ID,
    name: 'mibc-ais secure AIS status',
    description: 'Shows the mibc-ais appliance\'s $PMIBV verification results as communication.aisSecurity and raises a notification on failures',
    schema: () => ({
      type: 'object',
      required: ['providers'],
      properties: {
        providers: {
          type: 'array',
          title: 'Connections to the appliance',
          description: 'IDs of the data connections (Server → Data Connections) that carry the appliance\'s display output; $PMIBV from any other is refused',
          items: { type: 'string' },
          default: [],
        },
      },
    }),
    start(options) {
      counters = newCounters();
      made = new WeakSet();
      const providers = options && Array.isArray(options.providers) ? options.providers.filter((p) => typeof p === 'string' && p !== '') : [];
      trusted = new Set(providers);
      active = true;
      // A sentence parser cannot be withdrawn from Signal K; a stopped plugin's parser returns null (`active`).
      if (!parserRegistered) {
        app.emitPropertyValue('nmea0183sentenceParser', { sentence: 'PMIBV', parser: onStatus });
        parserRegistered = true;
      }
      app.on('nmea0183', onSentence);
      stops.push(() => app.removeListener?.('nmea0183', onSentence));
      // The plugin loader removes this registration when the plugin stops.
      app.registerDeltaInputHandler(guard);
      if (trusted.size === 0) {
        // Fail closed: without a named connection every status is refused (rule 3), and the settings page says why.
        app.setPluginError('no connection to the appliance configured (providers): every $PMIBV is refused');
        return;
      }
      let shown = '';
      const timer = setInterval(() => {
        const text = statusText();
        if (text !== shown) app.setPluginStatus(text);
        shown = text;
      }, STATUS_INTERVAL_MS);
      stops.push(() => clearInterval(timer));
      app.setPluginStatus(`waiting for $PMIBV from ${providers.join(', ')}`);
    },
    stop() {
      active = false;
      for (const stop of stops.splice(0)) stop();
    },
    /** What was received and what was refused, by reason (also in the plugin's status line). */
    counters: () => counters,
  };
};

module.exports.STATUS_PATH = STATUS_PATH;
module.exports.NOTIFICATION_PATH = NOTIFICATION_PATH;
