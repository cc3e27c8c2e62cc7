# Shared by the example scripts: where the daemon is, the token for mutations, and a curl that
# prints the body and then "HTTP <status>" on a line of its own.
ROUTECAT_URL=${ROUTECAT_URL:-http://127.0.0.1:8080}
auth=()
if [ -n "${ROUTECAT_TOKEN:-}" ]; then auth=(-H "Authorization: Bearer $ROUTECAT_TOKEN"); fi
rc_curl() { curl -sS -w '\nHTTP %{http_code}\n' "$@"; }
# The catalog's current version (the first "version" of GET /v1/catalog).
catalog_version() { curl -sS "$ROUTECAT_URL/v1/catalog" | sed -n 's/^{"version":\([0-9]*\).*/\1/p'; }
# The engine's current version (GET /v1/routes?limit=1).
engine_version() { curl -sS "$ROUTECAT_URL/v1/routes?limit=1" | sed -n 's/^{"version":\([0-9]*\).*/\1/p'; }
