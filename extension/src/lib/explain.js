// What pulls a grade down most: how many points of the 0-100 score each criterion costs,
// by the methodology's own rule (ratings/scoring.py): a group's score is the mean of its
// scored criteria, the total the weighted mean of the groups that have any. A criterion
// below the best level costs (group weight / total weight) x (best points - its points) /
// (scored criteria in its group). The costs add up to 100 minus the unrounded score.

/**
 * [{ id, loss }] for every scored criterion that costs points, largest first (ties in
 * the methodology's order). Empty when the service has no score or the bundle lacks the
 * level points.
 * @param {Pick<Service, 'score' | 'criteria'>} service
 * @param {Pick<Methodology, 'level_points' | 'criteria' | 'groups'>} methodology
 * @returns {{ id: string, level: string, loss: number }[]}
 */
export function losses(service, methodology) {
  const points = methodology.level_points;
  if (service.score === null || !points) return [];
  const best = Math.max(...Object.values(points));
  const groupOf = new Map(methodology.criteria.map((c) => [c.id, c.group]));
  const order = new Map(methodology.criteria.map((c, i) => [c.id, i]));
  const scored = service.criteria.flatMap((c) => {
    const group = groupOf.get(c.id);
    return group !== undefined && c.counted_level in points ? [{ id: c.id, level: c.counted_level, group }] : [];
  });
  /** @type {Map<string, number>} */
  const perGroup = new Map();
  for (const c of scored) perGroup.set(c.group, (perGroup.get(c.group) ?? 0) + 1);
  const weights = new Map(methodology.groups.map((g) => [g.id, g.weight]));
  const total = [...perGroup.keys()].reduce((sum, g) => sum + (weights.get(g) ?? 0), 0);
  if (!total) return [];
  return scored
    .map((c) => {
      // Every scored criterion's group was counted above: perGroup has it.
      const loss = ((weights.get(c.group) ?? 0) / total) * ((best - points[c.level]) / (perGroup.get(c.group) ?? 1));
      return { id: c.id, level: c.level, loss };
    })
    .filter((item) => item.loss > 0)
    .sort((a, b) => b.loss - a.loss || (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0));
}
