-- Question 1: offerings available per academic year, split by one dimension ({dimension}).
-- An offering counts in a year when it has an edition starting in that year.
SELECT e.academic_year AS academic_year, {dimension} AS value, COUNT(DISTINCT e.offering_id) AS offerings
FROM stat_editions AS e
JOIN scope_offerings AS s ON s.offering_id = e.offering_id
JOIN stat_offerings AS o ON o.id = e.offering_id
JOIN stat_providers AS p ON p.id = o.provider_id
WHERE e.academic_year BETWEEN $from_year AND $to_year
GROUP BY e.academic_year, {dimension}
ORDER BY 1, 2
