from services.property.models import METADATA
from shared.migrations import run_migrations

run_migrations(METADATA)
