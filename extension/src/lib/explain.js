// What pulls a grade down most: how many points of the 0-100 score each criterion costs,
// by the methodology's own rule (ratings/scoring.py): a group's score is the mean of its
// scored criteria, the total the weighted mean of the groups that have any. A criterion
// below the best level costs (group weight / total weight) x (best points - its points) /
// (scored criteria in its group). The costs add up to 100 minus the unrounded score.

/**
 * [{ id, loss }] for every scored criterion that costs points, largest first (ties in
 * the methodology's order). Empty when the service has no score or the bundle lacks the
 * level points.
 */
export function losses(service, methodology) {
  const points = methodology.level_points;
  if (service.score === null || !points) return [];
  const best = Math.max(...Object.values(points));
  const groupOf = new Map(methodology.criteria.map((c) => [c.id, c.group]));
  const order = new Map(methodology.criteria.map((c, i) => [c.id, i]));
  const scored = service.criteria.filter((c) => c.counted_level in points && groupOf.has(c.id));
  const perGroup = new Map();
  for (const c of scored) perGroup.set(groupOf.get(c.id), (perGroup.get(groupOf.get(c.id)) ?? 0) + 1);
  const weights = new Map(methodology.groups.map((g) => [g.id, g.weight]));
  const total = [...perGroup.keys()].reduce((sum, g) => sum + (weights.get(g) ?? 0), 0);
  if (!total) return [];
  return scored
    .map((c) => {
      const group = groupOf.get(c.id);
      const loss = ((weights.get(group) ?? 0) / total) * ((best - points[c.counted_level]) / perGroup.get(group));
      return { id: c.id, level: c.counted_level, loss };
    })
    .filter((item) => item.loss > 0)
    .sort((a, b) => b.loss - a.loss || order.get(a.id) - order.get(b.id));
}
