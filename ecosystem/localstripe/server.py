"""localstripe for local runs and tests: a server that speaks Stripe's HTTP API, keeps state,
and signs the webhooks it sends for real.

    python server.py <port> <state-dir | ->

Port 0 picks a free port. It listens on 127.0.0.1 only (localstripe's own command listens on
every interface), prints `READY <port>` once it listens, and exits when its standard input
closes (so it never outlives the process that started it). Its state is kept in
`<state-dir>/localstripe.pickle` (localstripe's own command writes a fixed path in /tmp that
parallel runs would share), or nowhere with `-`.

Two gaps of localstripe are filled here:
- Stripe makes a card PaymentMethod from a Stripe.js token (`type=card&card[token]=tok_…`),
  which is how the suite's card form pays; localstripe only takes raw card numbers there, so
  the token's card is looked up;
- its stand-in for Stripe.js declares a global `class Element`, which hides the browser's own
  `Element` from every other script of the page (the page's WebAssembly then fails to find its
  elements): it is served wrapped in a function, so that only `Stripe` is global, as with
  Stripe's own script.
"""

import os
import pickle
import socket
import sys
import threading

from aiohttp import web
from localstripe import resources, webhooks
from localstripe.server import app

_STRIPE_JS = os.path.join(os.path.dirname(resources.__file__), "localstripe-v3.js")


@web.middleware
async def _stripe_js_in_its_own_scope(request, handler):
    if request.path != "/js.stripe.com/v3/":
        return await handler(request)
    with open(_STRIPE_JS) as f:
        script = f.read()
    return web.Response(
        text="(function () {\n" + script + "\nwindow.Stripe = Stripe;\n})();\n",
        content_type="application/javascript",
    )


app.middlewares.append(_stripe_js_in_its_own_scope)


_payment_method_init = resources.PaymentMethod.__init__


def _payment_method_from_token(self, type=None, billing_details=None, card=None, **kwargs):
    if type == "card" and isinstance(card, dict) and set(card) == {"token"}:
        tokened = resources.Token._api_retrieve(card["token"]).card
        card = {
            "number": tokened._card_number,
            "exp_month": tokened.exp_month,
            "exp_year": tokened.exp_year,
            "cvc": "123",
        }
    _payment_method_init(self, type=type, billing_details=billing_details, card=card, **kwargs)


resources.PaymentMethod.__init__ = _payment_method_from_token


class _Endpoints(dict):
    def values(self):
        return list(super().values())


webhooks._webhooks = _Endpoints(webhooks._webhooks)


def main():
    port, state = int(sys.argv[1]), sys.argv[2]
    if state == "-":
        resources.Store.dump_to_disk = lambda self: None
    else:
        path = os.path.join(state, "localstripe.pickle")

        def dump(self):
            tmp = path + ".tmp"
            with open(tmp, "wb") as f:
                pickle.dump(dict(self), f, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)

        resources.Store.dump_to_disk = dump
        try:
            with open(path, "rb") as f:
                dict.update(resources.store, pickle.load(f))
        except FileNotFoundError:
            pass

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    sock.listen(128)
    print(f"READY {sock.getsockname()[1]}", flush=True)

    def stop_with_parent():
        sys.stdin.read()
        os._exit(0)

    threading.Thread(target=stop_with_parent, daemon=True).start()
    web.run_app(app, sock=sock, print=None, access_log=None)


if __name__ == "__main__":
    main()
