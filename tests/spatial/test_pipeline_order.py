"""Steps run in STEP_MODULES order, whatever order their modules registered them in."""

from __future__ import annotations

from spatial import pipeline


def test_steps_follow_step_modules_not_registration_order():
    pipeline.load_steps()
    registered, plans = dict(pipeline._STEPS), dict(pipeline._PLANS)
    for name in reversed(list(registered)):  # the worst registration (import) order
        pipeline.register_step(name, registered[name], plan=plans.get(name))
    modules = [step.__module__ for _, step in pipeline.ordered_steps()]
    assert modules == ["spatial.pipeline", *pipeline.STEP_MODULES]
