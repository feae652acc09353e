-- Question 1: the full list of offerings in scope with their ECTS and the years they ran.
SELECT p.slug AS provider, p.name_nl AS provider_nl, p.name_en AS provider_en, o.code AS code,
       o.title_nl AS title_nl, o.title_en AS title_en, o.offer_kind AS offer_kind, o.ects AS ects,
       o.eqf AS eqf, o.field AS field, MIN(e.academic_year) AS first_year, MAX(e.academic_year) AS last_year,
       COUNT(*) AS editions
FROM stat_editions AS e
JOIN scope_offerings AS s ON s.offering_id = e.offering_id
JOIN stat_offerings AS o ON o.id = e.offering_id
JOIN stat_providers AS p ON p.id = o.provider_id
WHERE e.academic_year BETWEEN $from_year AND $to_year
GROUP BY p.slug, p.name_nl, p.name_en, o.code, o.title_nl, o.title_en, o.offer_kind, o.ects, o.eqf, o.field
ORDER BY p.slug, o.code
