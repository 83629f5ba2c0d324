"""``recall serve``: the review session, deck list and statistics as a local web app.

``app`` builds the Starlette application (one collection connection, the security checks,
error pages); ``security`` holds the access token and the CSRF check; ``desk`` keeps the
review sessions and turns a card into what a page shows; ``charts`` turns study statistics
into SVG geometry; ``routes`` are the pages. Everything the browser loads ships in this
package (templates and static files): the app works offline and reads no path from a request.
"""
