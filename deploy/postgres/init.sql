-- One database per service (distributed mode), owned by the compose superuser.
-- Run once by the postgres image on an empty data directory (docker-entrypoint-initdb.d).
-- Each service reaches only its own database through <SERVICE>_DATABASE_URL; a service never
-- reads another service's tables.
CREATE DATABASE community_projects;
CREATE DATABASE community_acceptance;
CREATE DATABASE community_complaints;
CREATE DATABASE community_property;

-- No role but the owner may connect until one is granted explicitly.
REVOKE CONNECT ON DATABASE community_projects FROM PUBLIC;
REVOKE CONNECT ON DATABASE community_acceptance FROM PUBLIC;
REVOKE CONNECT ON DATABASE community_complaints FROM PUBLIC;
REVOKE CONNECT ON DATABASE community_property FROM PUBLIC;
