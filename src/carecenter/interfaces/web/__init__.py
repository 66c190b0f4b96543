"""The web UI: the live wallboard page and the sign-in form (``static/``), served by the HTTP
server with the board pushed over a WebSocket. The files are plain HTML, CSS and an ES2020
module: no build step, no external library, nothing fetched from another origin."""
