-- The report categories' names in English, for the viewer in English and for clients that ask for it
-- (GET /open311/v2/services.json with Accept-Language: en). Vietnamese stays the name residents see by default.
ALTER TABLE report_categories ADD COLUMN name_en text;
UPDATE report_categories c SET name_en = e.name FROM (VALUES
  ('street_light', 'Street light out'),
  ('camera', 'Security camera out of order'),
  ('loudspeaker', 'Public loudspeaker out of order'),
  ('wifi', 'Public Wi-Fi point out of order'),
  ('drain', 'Blocked drain or gutter'),
  ('flooding', 'Flooding'),
  ('pothole', 'Damaged road surface'),
  ('rubbish', 'Rubbish, sanitation'),
  ('encroachment', 'Pavement or roadway encroached'),
  ('illegal_construction', 'Illegal construction'),
  ('fallen_tree', 'Fallen or broken tree'),
  ('noise', 'Noise'),
  ('other', 'Other')) AS e(code, name)
WHERE c.code = e.code;
