"""The jobs a manager may start from the Jobs page, registered by the apps that own them
(AppConfig.ready): jobs/ knows no feature app, the feature apps know jobs/."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Runnable:
    kind: str
    label: str
    description: str
    task: object  # a Procrastinate task taking run_id


RUNNABLE: dict[str, Runnable] = {}


def register(kind: str, *, label: str, description: str, task) -> None:
    RUNNABLE[kind] = Runnable(kind, label, description, task)


def label_of(kind: str) -> str:
    runnable = RUNNABLE.get(kind)
    return runnable.label if runnable else kind.replace("_", " ").capitalize()
