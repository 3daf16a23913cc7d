"""One person, one case across stages: link a later stage to the earlier ones, flag a probable duplicate."""

from collections.abc import Iterable

from gateway.domain.enums import Kind, RequestState, Stage
from gateway.domain.model import PersonMatch, Related

# The order a criminal case moves in: police → procuratorate → court (CPL parts 2 and 3).
STAGE_ORDER = {
    Stage.INVESTIGATION: 0,
    Stage.REVIEW_FOR_PROSECUTION: 1,
    Stage.FIRST_INSTANCE: 2,
    Stage.COMPULSORY_MEDICAL: 2,
    Stage.SECOND_INSTANCE: 3,
    Stage.RETRIAL: 4,
    Stage.DEATH_PENALTY_REVIEW: 4,
}
# A request in these states no longer stands: a new notice beside it is no duplicate.
ENDED = frozenset({RequestState.WITHDRAWN, RequestState.DECLINED})
PROBABLE_DUPLICATE = "probable_duplicate"
# Another person named in the same document (a 法律帮助通知书 may name several suspects).
SAME_NOTICE = "same_notice"


def relate(
    kind: Kind, stage: Stage, agency_code: str, matches: Iterable[PersonMatch]
) -> tuple[tuple[Related, ...], tuple[str, ...]]:
    """Related requests and flags for a new request with these matches.

    Earlier stages are linked so the centre can keep the same lawyer. Another agency's open request of
    the same kind at the same stage is a probable duplicate: flagged for a person to look at, not merged.
    """
    related: list[Related] = []
    for match in matches:
        if match.stage is None:  # an old record without a stage: nothing to order it by
            continue
        if STAGE_ORDER[match.stage] < STAGE_ORDER[stage]:
            related.append(Related(match.id, "earlier_stage", match.stage, match.agency_code))
        elif (
            match.stage is stage
            and match.kind is kind
            and match.agency_code != agency_code
            and match.state not in ENDED
        ):
            related.append(Related(match.id, PROBABLE_DUPLICATE, match.stage, match.agency_code))
    flags = (PROBABLE_DUPLICATE,) if any(r.relation == PROBABLE_DUPLICATE for r in related) else ()
    return tuple(related), flags
