-- Data coverage: how many editions each provider reported in each academic year.
SELECT p.slug AS provider, e.academic_year AS academic_year, COUNT(*) AS editions
FROM stat_editions AS e
JOIN scope_offerings AS s ON s.offering_id = e.offering_id
JOIN stat_offerings AS o ON o.id = e.offering_id
JOIN stat_providers AS p ON p.id = o.provider_id
WHERE e.academic_year BETWEEN $from_year AND $to_year
GROUP BY p.slug, e.academic_year
ORDER BY 1, 2
