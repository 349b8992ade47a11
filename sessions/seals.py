"""Seals: tamper evidence for signed notes and addenda that survives anyone with database access.

A signed note already carries a SHA-256 of its content (`content_hash`), but anyone who can
write the row can recompute a plain hash. A seal is an HMAC-SHA256 keyed by RECORD_SEAL_KEY,
which lives in the app's environment, never in the database: without the key nobody can
make a changed record look intact.

Each client's sealed records (signed notes and addenda, in the order they were sealed) form a
hash chain: a seal covers its record's content hash, its position in the client's chain and
the previous record's seal. A deleted record leaves a gap or a seal that names a predecessor
that is not there; a reordered one breaks the chain. The chain's head (RecordChain: length and
last seal, itself under an HMAC) shows a deleted *last* record too. What the chain cannot
show is a rollback of a client's head, its seals and its records together to an earlier
state of their own (a restore of an old backup, say): compare with the backups for that.

Seals are rows of RecordSeal, append-only at the database like the audit trail. Key rotation:
a seal begins with the id of the key that made it (8 hex digits of the key's SHA-256); old
keys stay in RECORD_SEAL_OLD_KEYS to verify what they sealed (README: Record seals).
"""

import hashlib
import hmac
import json
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db import connection, transaction

SEAL_VERSION = 1


def key_id(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()[:8]


def _keys() -> dict[str, bytes]:
    keys = [settings.RECORD_SEAL_KEY, *settings.RECORD_SEAL_OLD_KEYS]
    return {key_id(key): key.encode() for key in keys if key}


def _canonical(payload: dict) -> bytes:
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def make_mac(payload: dict) -> str:
    """`<key id>:<HMAC-SHA256>` of the payload with the current key."""
    key = settings.RECORD_SEAL_KEY
    return f"{key_id(key)}:{hmac.new(key.encode(), _canonical(payload), hashlib.sha256).hexdigest()}"


def mac_problem(mac: str, payload: dict) -> str:
    """'' when `mac` is a valid seal of the payload by a known key, else what is wrong."""
    kid, _, digest = mac.partition(":")
    key = _keys().get(kid)
    if key is None:
        return "it was sealed with a key this server does not have (RECORD_SEAL_KEY / RECORD_SEAL_OLD_KEYS)"
    expected = hmac.new(key, _canonical(payload), hashlib.sha256).hexdigest()
    return (
        "" if hmac.compare_digest(expected, digest) else "its seal does not match (the seal or the record was forged)"
    )


def seal_payload(*, client_id: int, position: int, kind: str, record_id: int, content_hash: str, previous: str):
    return {
        "v": SEAL_VERSION,
        "client": client_id,
        "position": position,
        "kind": kind,
        "record": record_id,
        "content": content_hash,
        "previous": previous,
    }


def chain_payload(*, client_id: int, length: int, last_seal: str) -> dict:
    return {"v": SEAL_VERSION, "chain": client_id, "length": length, "last": last_seal}


def addendum_content_hash(addendum) -> str:
    """SHA-256 of what an addendum says, who wrote it, when, and which note it amends."""
    content = {
        "note": addendum.note_id,
        "author": addendum.author_id,
        "created_at": addendum.created_at.isoformat(),
        "reason": addendum.reason,
        "text": addendum.text,
    }
    return hashlib.sha256(_canonical(content)).hexdigest()


def current_content_hash(seal, record) -> str | None:
    """The sealed record's content hash as it is now; None when the record is gone."""
    if record is None:
        return None
    if seal.kind == "note":
        return record.compute_hash() if record.is_signed else ""
    if seal.kind == "imported":
        return record.compute_hash()
    return addendum_content_hash(record)


def _related_or_none(obj, name: str):
    try:
        return getattr(obj, name)
    except ObjectDoesNotExist:  # no seal yet, or a record deleted behind the app's back
        return None


RECORD_FIELDS = {"note": "note", "addendum": "addendum", "imported": "imported_note"}


# No savepoint inside a caller's transaction: an import seals thousands of notes in one, and
# past 64 savepoints PostgreSQL slows down on every row. An error here ends the caller's transaction.
@transaction.atomic(savepoint=False)
def seal_record(*, client_id: int, note=None, addendum=None, imported_note=None):
    """Append a signed note or an addendum to its client's chain. Call in the transaction that signs.

    The client's chain head is locked, so two signatures for one client (two tabs, two
    therapists) take consecutive positions instead of the same one.
    """
    from sessions.models import RecordChain, RecordSeal

    if [note, addendum, imported_note].count(None) != 2:
        raise ValueError("Seal one record: a note, an addendum or an imported note.")
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO visits_recordchain (client_id, length, last_seal, mac) VALUES (%s, 0, '', '') "
            "ON CONFLICT (client_id) DO NOTHING",
            [client_id],
        )
    chain = RecordChain.objects.select_for_update().get(client_id=client_id)
    if note is not None:
        kind, record, content_hash = RecordSeal.Kind.NOTE, note, note.content_hash
    elif addendum is not None:
        kind, record, content_hash = RecordSeal.Kind.ADDENDUM, addendum, addendum_content_hash(addendum)
    else:
        kind, record, content_hash = RecordSeal.Kind.IMPORTED, imported_note, imported_note.content_hash
    position = chain.length + 1
    payload = seal_payload(
        client_id=client_id,
        position=position,
        kind=kind,
        record_id=record.pk,
        content_hash=content_hash,
        previous=chain.last_seal,
    )
    seal = RecordSeal.objects.create(
        client_id=client_id,
        position=position,
        kind=kind,
        note=note,
        addendum=addendum,
        imported_note=imported_note,
        content_hash=content_hash,
        previous=chain.last_seal,
        seal=make_mac(payload),
    )
    chain.length = position
    chain.last_seal = seal.seal
    chain.mac = make_mac(chain_payload(client_id=client_id, length=position, last_seal=seal.seal))
    chain.save(update_fields=["length", "last_seal", "mac"])
    return seal


@dataclass(frozen=True)
class SealCheck:
    """What the page shows about one record's seal: intact, or what is wrong."""

    problem: str = ""

    @property
    def ok(self) -> bool:
        return not self.problem


def check_seal(seal, record) -> SealCheck:
    """The record still has the content it was sealed with, under a valid seal of a known key.

    This checks one record against its own seal; `verify_records` also follows every
    client's chain (gaps, order, the head).
    """
    if seal is None:
        return SealCheck("it is signed but has no seal")
    current = current_content_hash(seal, record)
    if current is None:
        return SealCheck("the record was deleted")
    if current != seal.content_hash:
        return SealCheck("its content changed after it was signed")
    if seal.client_id != record_client_id(seal, record):
        return SealCheck("it was moved to another client")
    return SealCheck(mac_problem(seal.seal, seal.payload()))


def record_client_id(seal, record) -> int:
    return record.note.client_id if seal.kind == "addendum" else record.client_id


def check_note(note) -> SealCheck:
    """A signed note against its seal (select it with the note: SessionNote.objects.with_seals())."""
    return check_seal(_related_or_none(note, "seal"), note)


def check_addendum(addendum) -> SealCheck:
    return check_seal(_related_or_none(addendum, "seal"), addendum)


def check_imported_note(imported_note) -> SealCheck:
    return check_seal(_related_or_none(imported_note, "seal"), imported_note)


# --- Verifying every chain (manage.py verify_records) --------------------------------------------


@dataclass(frozen=True)
class Broken:
    """One broken record, named without health data (ids only: this goes to logs and mail)."""

    client_id: int
    what: str
    problem: str

    def __str__(self) -> str:
        return f"client {self.client_id}: {self.what}: {self.problem}"


def _record_name(seal) -> str:
    kind = {"note": "session note", "addendum": "addendum"}.get(seal.kind, "imported note")
    return f"{kind} {seal.record_id} (position {seal.position})"


def verify_all(*, chunk_size: int = 2000):
    """Every seal and every client's chain, in one pass over the seals; yields what is broken."""
    from sessions.models import Addendum, ImportedNote, RecordChain, RecordSeal, SessionNote

    heads = {chain.client_id: chain for chain in RecordChain.objects.all()}
    seals = (
        RecordSeal.objects.select_related("note", "addendum__note", "imported_note")
        .prefetch_related("note__areas")
        .order_by("client_id", "position")
    )
    client_id, expected, previous = None, 1, ""
    for seal in seals.iterator(chunk_size=chunk_size):
        if seal.client_id != client_id:
            if client_id is not None:
                yield from _check_head(client_id, expected - 1, previous, heads.pop(client_id, None))
            client_id, expected, previous = seal.client_id, 1, ""
        if seal.position != expected:
            missing = (
                f"position {expected}" if seal.position == expected + 1 else f"positions {expected}-{seal.position - 1}"
            )
            yield Broken(
                client_id, f"chain before {_record_name(seal)}", f"{missing} missing: a sealed record was deleted"
            )
        elif seal.previous != previous:
            yield Broken(
                client_id, _record_name(seal), "its link to the previous record is broken (removed or reordered)"
            )
        record = _related_or_none(seal, RECORD_FIELDS.get(seal.kind, "note"))
        check = check_seal(seal, record)
        if not check.ok:
            yield Broken(client_id, _record_name(seal), check.problem)
        expected, previous = seal.position + 1, seal.seal
    if client_id is not None:
        yield from _check_head(client_id, expected - 1, previous, heads.pop(client_id, None))
    for head in heads.values():
        if head.length:
            yield Broken(head.client_id, "chain", f"its head counts {head.length} records but no seal is left")
    for note_id, note_client in SessionNote.objects.signed().filter(seal__isnull=True).values_list("id", "client_id"):
        yield Broken(note_client, f"session note {note_id}", "it is signed but has no seal")
    unsealed = Addendum.objects.filter(seal__isnull=True).values_list("id", "note__client_id")
    for addendum_id, addendum_client in unsealed:
        yield Broken(addendum_client, f"addendum {addendum_id}", "it has no seal")
    for imported_id, imported_client in ImportedNote.objects.filter(seal__isnull=True).values_list("id", "client_id"):
        yield Broken(imported_client, f"imported note {imported_id}", "it has no seal")


def _check_head(client_id: int, length: int, last_seal: str, head):
    if head is None:
        yield Broken(client_id, "chain", "its head is missing")
        return
    if head.length != length or head.last_seal != last_seal:
        yield Broken(
            client_id,
            "chain",
            f"its head counts {head.length} records, {length} are there: the last record was deleted or added",
        )
    problem = mac_problem(head.mac, chain_payload(client_id=client_id, length=head.length, last_seal=head.last_seal))
    if problem:
        yield Broken(client_id, "chain head", problem)
