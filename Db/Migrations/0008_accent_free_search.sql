-- Search typed without Vietnamese diacritics ("nguyen van", "thach khoi"), as many people type on a phone or
-- a keyboard without Unikey: the parcel search compares unaccent(text) with the query (Đ/đ become D/d too).
-- unaccent ships with PostgreSQL (contrib, in Debian's postgresql-15 and the postgis images).
CREATE EXTENSION IF NOT EXISTS unaccent;
