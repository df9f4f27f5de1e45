from integration.availability import recently_unavailable


def marketplace_status(request) -> dict:
    return {"marketplace_unavailable": recently_unavailable()}
