"""The email edition: the builder (:mod:`.builder`), the HTML for mail clients
(:mod:`.html`), the text part from Sphinx's text writer (:mod:`.text`) and the message
(:mod:`.message`)."""
