"""Property-based runs of the API against its OpenAPI schema, in process, as admin: no server error and
every response (status, content type, headers, body) as documented; invalid data refused,
undocumented methods answered 405 with the right ``Allow``; then a stateful run
that follows the links schemathesis infers between operations (an upload's id to its report, ...).

Schemathesis' pytest plugin does not run on this pytest version, so the tests drive its Python API
directly: one hypothesis run per operation and generation mode, then the state machine.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode, checks

from tests.integration.api.conftest import World

CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_headers_conformance,
    checks.response_schema_conformance,
    checks.negative_data_rejection,
    checks.unsupported_method,
]
SETTINGS = settings(
    max_examples=30,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)


@pytest.mark.slow
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_api_conforms_to_its_schema(world: World, mode: GenerationMode):
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", world.client.app)
    headers = world.headers("admin")
    tested = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @SETTINGS
        @given(case=operation.as_strategy(generation_mode=mode))
        def run(case):
            case.call_and_validate(headers=headers, checks=CHECKS)

        try:
            run()
        except Unsatisfiable:
            # nothing invalid can be sent to an operation without parameters
            assert mode is GenerationMode.NEGATIVE
            continue
        tested.append(operation.label)
    assert {"GET /api/v1/buildings", "GET /api/v1/consumption", "POST /api/v1/auth/token", "POST /api/v1/users",
            "POST /api/v1/uploads"} <= set(tested)


@pytest.mark.slow
def test_api_statefully(world: World):
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", world.client.app)
    headers = world.headers("admin")
    base = schema.as_state_machine()

    class Workflow(base):
        def get_call_kwargs(self, case):
            return {"headers": headers}

        def validate_response(self, response, case, additional_checks=(), **kwargs):
            case.validate_response(response, checks=CHECKS)

    assert base.bundles, "schemathesis found no links between operations"
    Workflow.run(settings=settings(max_examples=30, stateful_step_count=6, deadline=None, database=None,
                                   suppress_health_check=list(HealthCheck)))
