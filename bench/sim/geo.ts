/**
 * The local plane the simulator moves vessels on: metres east (x) and north (y) of a configurable centre, mapped to
 * latitude/longitude by an equirectangular projection. Over the 20–40 NM of one VHF cell the error against a great
 * circle stays below a few metres, far under the 1/10000-minute resolution that matters to AIS receivers.
 */

/** Metres per international nautical mile. */
export const NM = 1852;
/** Mean Earth radius (IUGG), metres. */
const EARTH_RADIUS_M = 6_371_008.8;

export interface GeoPoint {
  /** Degrees north, −90..90. */
  readonly lat: number;
  /** Degrees east, −180..180. */
  readonly lon: number;
}

export interface LocalPoint {
  /** Metres east of the centre. */
  readonly x: number;
  /** Metres north of the centre. */
  readonly y: number;
}

const RAD = Math.PI / 180;

export function toGeo(centre: GeoPoint, p: LocalPoint): GeoPoint {
  const lat = centre.lat + p.y / EARTH_RADIUS_M / RAD;
  let lon = centre.lon + p.x / (EARTH_RADIUS_M * Math.cos(centre.lat * RAD)) / RAD;
  if (lon > 180) lon -= 360;
  if (lon < -180) lon += 360;
  return { lat, lon };
}

export function toLocal(centre: GeoPoint, g: GeoPoint): LocalPoint {
  let dLon = g.lon - centre.lon;
  if (dLon > 180) dLon -= 360;
  if (dLon < -180) dLon += 360;
  return { x: dLon * RAD * EARTH_RADIUS_M * Math.cos(centre.lat * RAD), y: (g.lat - centre.lat) * RAD * EARTH_RADIUS_M };
}

export function distanceM(a: LocalPoint, b: LocalPoint): number {
  return Math.hypot(a.x - b.x, a.y - b.y);
}

/** True bearing from a to b, degrees clockwise from north in [0, 360). */
export function bearingDeg(a: LocalPoint, b: LocalPoint): number {
  return wrap360(Math.atan2(b.x - a.x, b.y - a.y) / RAD);
}

export function wrap360(deg: number): number {
  const r = deg % 360;
  return r < 0 ? r + 360 : r;
}

/** Signed smallest turn from `from` to `to`, degrees in (−180, 180]. */
export function turnDeg(from: number, to: number): number {
  const d = wrap360(to - from);
  return d > 180 ? d - 360 : d;
}
