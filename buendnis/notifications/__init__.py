"""In-app notifications, members' subscriptions and delivery by mail, and the public's e-mail
subscriptions (double opt-in). Low in the layering: the domain apps above call `services.notify`
and register their topic kinds (`topics`); this app imports none of them."""
