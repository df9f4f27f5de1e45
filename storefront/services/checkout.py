"""Checkout from the storefront: every door (the checkout page, the REST API) hands the
buyer's request here, and only here is the marketplace's `CheckoutCommand` built.

The origins a buyer claims (a post, a showcase, a campaign) earn a creator commission,
so each is checked against the storefront's own data when the order is placed: a post
origin holds while the post is published and tags the product, a showcase origin while
the creator showcases the product, a campaign origin while the campaign runs and
selects the product. An origin that does not hold is dropped, and logged; the purchase
itself goes on."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from typing import cast

from django.utils import timezone

from integration import contracts

from .. import rules, selectors
from ..models import ApiIdempotencyRecord
from .accounts import email_is_verified
from .api_idempotency import api_idempotency_claim, api_idempotency_complete, api_idempotency_release

logger = logging.getLogger(__name__)

CREATED = 201


@dataclass(frozen=True)
class CheckoutRequest:
    """What a buyer asks for at checkout, whichever door it came through. `origins` are
    claims, not facts: only those that hold reach the marketplace."""

    buyer_id: int
    address: contracts.Address
    payment_method: str
    idempotency_key: str
    shipping: tuple[contracts.ShippingChoice, ...] = ()
    vouchers: tuple[contracts.VoucherChoice, ...] = ()
    origins: tuple[contracts.Attribution, ...] = ()
    platform_voucher: str = ""  # the platform's code, for the whole checkout


# --- Origins ---------------------------------------------------------------------------


def _why_not(claim: contracts.Attribution, facts: selectors.OriginFacts, now: datetime) -> str:
    """Why a claimed origin does not hold, or "" when it does. The claim may leave out
    what follows from its source (a post's creator); what it names must match."""
    if claim.source == "post":
        post = facts.posts.get(claim.post_id) if claim.post_id is not None else None
        if post is None:
            return "post not published"
        if claim.product_id not in post.product_ids:
            return "post does not tag the product"
        if claim.creator_id not in (None, post.creator_id) or claim.campaign_id is not None:
            return "post claimed with another creator or a campaign"
        return ""
    if claim.source == "showcase":
        if claim.creator_id is None or claim.post_id is not None or claim.campaign_id is not None:
            return "showcase claimed without its creator alone"
        if (claim.creator_id, claim.product_id) not in facts.showcased:
            return "creator does not showcase the product"
        return ""
    if claim.source == "campaign":
        campaign = facts.campaigns.get(claim.campaign_id) if claim.campaign_id is not None else None
        if campaign is None:
            return "campaign does not exist"
        if not selectors.campaign_is_live(campaign.campaign, now=now):
            return "campaign not live"
        if claim.product_id not in campaign.product_ids:
            return "campaign does not select the product"
        if claim.creator_id is not None or claim.post_id is not None:
            return "campaign claimed with a creator or a post"
        return ""
    return "unknown source"


def _held(claim: contracts.Attribution, facts: selectors.OriginFacts) -> contracts.Attribution:
    """The origin as the storefront's data states it (a post's creator filled in)."""
    if claim.source == "post" and claim.post_id is not None:
        return replace(claim, creator_id=facts.posts[claim.post_id].creator_id)
    return claim


def origins_verify(
    *, buyer_id: int, claims: tuple[contracts.Attribution, ...], now: datetime | None = None
) -> tuple[contracts.Attribution, ...]:
    """The claimed origins that hold, at most one per product (the first that holds).
    Every claim dropped is logged with the buyer, the product and the claim."""
    if not claims:
        return ()
    now = now or timezone.now()
    facts = selectors.origin_facts(claims)
    kept: dict[int, contracts.Attribution] = {}
    for claim in claims:
        reason = _why_not(claim, facts, now) or ("product already has an origin" if claim.product_id in kept else "")
        if reason:
            logger.warning(
                "checkout origin dropped: %s",
                reason,
                extra={
                    "buyer_id": buyer_id,
                    "product_id": claim.product_id,
                    "claimed_origin": asdict(claim),
                    "reason": reason,
                },
            )
            continue
        kept[claim.product_id] = _held(claim, facts)
    return tuple(kept.values())


def origin_from_visit(
    *, product_id: int, post_id: int | None = None, creator_id: int | None = None, campaign_id: int | None = None
) -> contracts.Attribution | None:
    """The origin a product page was reached from, when it holds: a post first, then a
    showcase, then a campaign. Checked again at checkout."""
    claims = []
    if post_id is not None:
        claims.append(contracts.Attribution(product_id=product_id, source="post", post_id=post_id))
    if creator_id is not None:
        claims.append(contracts.Attribution(product_id=product_id, source="showcase", creator_id=creator_id))
    if campaign_id is not None:
        claims.append(contracts.Attribution(product_id=product_id, source="campaign", campaign_id=campaign_id))
    if not claims:
        return None
    facts = selectors.origin_facts(tuple(claims))
    now = timezone.now()
    held = [claim for claim in claims if not _why_not(claim, facts, now)]
    return _held(held[0], facts) if held else None


# --- Placing ---------------------------------------------------------------------------


def checkout_command(request: CheckoutRequest) -> contracts.CheckoutCommand:
    """The marketplace's command for a buyer's request, carrying only origins that hold."""
    return contracts.CheckoutCommand(
        buyer_id=request.buyer_id,
        address=request.address,
        payment_method=request.payment_method,
        idempotency_key=request.idempotency_key,
        attributions=origins_verify(buyer_id=request.buyer_id, claims=request.origins),
        shipping=request.shipping,
        vouchers=request.vouchers,
        platform_voucher=request.platform_voucher.strip().upper(),
    )


def buyer_verified_or_refuse(buyer_id: int) -> None:
    """A buyer orders only once their e-mail address is confirmed (a signed link sent at sign-up)."""
    if not email_is_verified(user_id=buyer_id):
        raise contracts.InvalidRequest(rules.unverified_buyer_message(), code="email_unverified")


def checkout_place(*, request: CheckoutRequest, port: contracts.MarketplacePort) -> contracts.CheckoutResult:
    """Places the buyer's checkout. The marketplace makes it idempotent by (buyer, key)."""
    buyer_verified_or_refuse(request.buyer_id)
    return port.checkout(checkout_command(request))


def checkout_fingerprint(request: CheckoutRequest) -> str:
    """Hash of what the buyer asked for (the key and the buyer aside): "the same request"."""
    body = asdict(request)
    body.pop("buyer_id")
    body.pop("idempotency_key")
    if not body["platform_voucher"]:
        body.pop("platform_voucher")  # left out when not used: requests hashed before it existed still match
    return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()


def checkout_place_once(
    *,
    request: CheckoutRequest,
    port: contracts.MarketplacePort,
    answer: Callable[[contracts.CheckoutResult], dict],
) -> tuple[int, dict]:
    """Places a checkout asked for over the API, once per (buyer, Idempotency-Key): a repeat
    of the same request gets the stored (status, body); `answer` renders a new result.
    A failed placement frees the key, so that the client may fix the request and retry."""
    buyer_verified_or_refuse(request.buyer_id)
    record = api_idempotency_claim(
        user_id=request.buyer_id, key=request.idempotency_key, fingerprint=checkout_fingerprint(request)
    )
    if record.state == ApiIdempotencyRecord.State.DONE:
        return cast(int, record.response_status), cast(dict, record.response_body)
    try:
        body = answer(checkout_place(request=request, port=port))
    except Exception:
        api_idempotency_release(record_id=record.id)
        raise
    api_idempotency_complete(record_id=record.id, status=CREATED, body=body)
    return CREATED, body
