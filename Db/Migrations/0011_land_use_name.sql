-- The Vietnamese name of a land-use code, compound codes part by part in their order:
-- 'ODT+CLN' -> 'Đất ở tại đô thị + Đất trồng cây lâu năm' (codes: Thông tư 08/2024/TT-BTNMT, land_use_codes).
-- One definition for the parcel record, the parcel extract and the zones' planned use.
CREATE OR REPLACE FUNCTION land_use_name(codes text) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT string_agg(c.meaning_vi, ' + ' ORDER BY u.n)
  FROM unnest(string_to_array(codes, '+')) WITH ORDINALITY u(code, n)
  JOIN land_use_codes c ON c.code = u.code
$$;
