/*
 * Reorder the agenda with the mouse (drag and drop). The buttons "nach oben" / "nach unten" next
 * to every item do the same without a script and with the keyboard; this only adds the mouse.
 *
 * After a drop the new position is announced in the page's live region, the full new order of
 * item ids is posted to the reorder address (CSRF token read from the page's form) and the page
 * reloads, showing the saved order and the message. Strict CSP: no inline code, no styles set
 * here, only classes.
 */
(function () {
  "use strict";

  var list = document.querySelector("ol.agenda[data-reorder-form]");
  if (!list) {
    return;
  }
  var form = document.getElementById(list.getAttribute("data-reorder-form"));
  var live = document.getElementById(list.getAttribute("data-live"));
  if (!form || !live || !window.fetch) {
    return;
  }

  var items = function () {
    return Array.prototype.slice.call(list.querySelectorAll(":scope > li.agenda-item"));
  };
  var dragged = null;
  var before = "";

  var order = function () {
    return items()
      .map(function (item) {
        return item.getAttribute("data-item-id");
      })
      .join(",");
  };

  var announce = function (text) {
    live.textContent = "";
    // A fresh text node after a tick, so that screen readers announce it even when it repeats.
    window.setTimeout(function () {
      live.textContent = text;
    }, 50);
  };

  var save = function (moved) {
    var value = order();
    if (value === before) {
      return;
    }
    var data = new FormData(form);
    data.set("order", value);
    var token = form.querySelector("input[name=csrfmiddlewaretoken]");
    fetch(form.action, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: {
        Accept: "application/json",
        "X-CSRFToken": token ? token.value : "",
      },
    })
      .then(function (response) {
        // Read to the end (success or refusal alike): the reloaded page shows the message.
        return response.text();
      })
      .catch(function () {
        // The network failed: the page shows the order as it is saved.
        return null;
      })
      .then(function () {
        // Give screen readers a moment to announce the move before the page reloads.
        window.setTimeout(function () {
          // Back on the moved item after the reload, as after the buttons.
          if (window.history && window.history.replaceState) {
            window.history.replaceState(null, "", "#top-" + moved.getAttribute("data-item-id"));
          }
          window.location.reload();
        }, 700);
      });
  };

  items().forEach(function (item) {
    item.setAttribute("draggable", "true");
    var handle = document.createElement("span");
    handle.className = "agenda-handle";
    handle.setAttribute("aria-hidden", "true");
    handle.textContent = "⠿";
    item.insertBefore(handle, item.firstChild);

    item.addEventListener("dragstart", function (event) {
      dragged = item;
      before = order();
      item.classList.add("is-dragging");
      event.dataTransfer.effectAllowed = "move";
      // Firefox starts a drag only with data set.
      event.dataTransfer.setData("text/plain", item.getAttribute("data-item-id"));
    });

    item.addEventListener("dragover", function (event) {
      if (!dragged || dragged === item) {
        return;
      }
      event.preventDefault();
      event.dataTransfer.dropEffect = "move";
      var box = item.getBoundingClientRect();
      var after = event.clientY > box.top + box.height / 2;
      list.insertBefore(dragged, after ? item.nextSibling : item);
    });

    item.addEventListener("drop", function (event) {
      event.preventDefault();
    });

    item.addEventListener("dragend", function () {
      if (!dragged) {
        return;
      }
      var moved = dragged;
      dragged = null;
      moved.classList.remove("is-dragging");
      var all = items();
      var position = all.indexOf(moved) + 1;
      if (order() === before) {
        return;
      }
      // The translated sentence comes from the page: "%(title)s … %(position)s … %(count)s".
      announce(
        (list.getAttribute("data-moved-text") || "%(title)s: %(position)s / %(count)s")
          .replace("%(title)s", moved.getAttribute("data-item-title"))
          .replace("%(position)s", String(position))
          .replace("%(count)s", String(all.length))
      );
      save(moved);
    });
  });

  list.classList.add("is-sortable");
})();
