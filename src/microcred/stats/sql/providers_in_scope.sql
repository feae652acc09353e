-- Data coverage: every provider in scope, whether or not it reported anything in the range.
SELECT p.slug AS provider, p.name_nl AS name_nl, p.name_en AS name_en
FROM stat_providers AS p
WHERE p.type IN ({provider_types}) AND ({all_providers} OR p.slug IN ({providers}))
ORDER BY p.slug
