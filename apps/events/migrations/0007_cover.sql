-- An event's cover picture: the key of its object in the app's bucket (its thumbnail beside
-- it, see storage::thumbnail_key).
alter table events add column cover_key text;
