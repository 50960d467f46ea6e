// The console timeline's geometry, kept apart from the page so the browser test can call it
// on its own: where on the day a drop on a caregiver's row puts a visit.

/**
 * The start a visit dropped with its left edge at `x` (px) on a track spanning
 * `left..left + width` px gets, for a timeline of seconds from midnight `from..to`, rounded
 * to `step` seconds; `null` when the edge is off the track.
 */
export function dropStart(x, left, width, from, to, step = 300) {
  if (!(width > 0) || !(to > from) || x < left || x > left + width) return null;
  const at = from + ((x - left) / width) * (to - from);
  return Math.round(at / step) * step;
}
