ALTER TABLE login_throttle DROP COLUMN in_flight_at;
ALTER TABLE login_throttle DROP COLUMN in_flight;
