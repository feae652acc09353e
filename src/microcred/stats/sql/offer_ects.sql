-- Question 1: the ECTS of every offering offered in each academic year (total and median are taken from these).
SELECT DISTINCT e.academic_year AS academic_year, o.id AS offering_id, o.ects AS ects
FROM stat_editions AS e
JOIN scope_offerings AS s ON s.offering_id = e.offering_id
JOIN stat_offerings AS o ON o.id = e.offering_id
WHERE e.academic_year BETWEEN $from_year AND $to_year
ORDER BY 1, 2
