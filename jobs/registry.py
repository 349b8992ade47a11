"""The jobs a manager may start from the Jobs page, registered by the apps that own them
(AppConfig.ready): jobs/ knows no feature app, the feature apps know jobs/."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Runnable:
    kind: str
    label: str
    description: str
    task: object  # a Procrastinate task taking run_id
    # A job that needs more than a click (the whole-clinic archive asks for a passphrase) is
    # started from its own page: the URL name of that page. The Jobs page links there.
    start_url_name: str = ""


RUNNABLE: dict[str, Runnable] = {}


def register(kind: str, *, label: str, description: str, task, start_url_name: str = "") -> None:
    RUNNABLE[kind] = Runnable(kind, label, description, task, start_url_name)


def label_of(kind: str) -> str:
    runnable = RUNNABLE.get(kind)
    return runnable.label if runnable else kind.replace("_", " ").capitalize()
