// Accessibility support for the patient chat page (see accessibility.py for why each part exists).
// Streamlit owns the page's markup, so this adds what it cannot be told to add, and keeps adding
// it as Streamlit redraws: it watches the page with one MutationObserver and installs itself once.
(() => {
  if (window.clinicChatAccessibility) return;
  window.clinicChatAccessibility = true;

  const CONVERSATION = ".st-key-conversation";
  const MESSAGE = '[data-testid="stChatMessage"]';
  const INPUT = '[data-testid="stChatInputTextArea"]';
  const ICONS = ':is([data-testid="stMarkdownContainer"], [data-testid="stCaptionContainer"]) span[role="img"]:not([aria-hidden])';
  // Buttons that vanish or turn disabled once pressed: without help, focus would fall to the page.
  const GIVES_FOCUS_BACK = [
    '[class*="st-key-suggest-"] button',
    '[class*="st-key-option-"] button',
    '[class*="st-key-start-"] button',
    '[data-testid="stFeedback"] button',
  ].join(", ");

  let focusAfterRun = false;
  let sawRun = false;
  let shownMessages = -1;

  const app = () => document.querySelector('[data-testid="stApp"]');
  const running = () => app()?.getAttribute("data-test-script-state") === "running";

  function label() {
    // The conversation is a polite log: each message added to it is read out once, in order.
    // An emergency reply inside it is Streamlit's role="alert" box, so it is read assertively.
    const log = document.querySelector(CONVERSATION);
    if (log && log.getAttribute("role") !== "log") {
      log.setAttribute("role", "log");
      log.setAttribute("aria-live", "polite");
      log.setAttribute("aria-relevant", "additions text");
      log.setAttribute("aria-label", "Conversation");
    }
    // Icons written into Markdown (":material/call:") are decorative: the words next to them say it.
    for (const icon of document.querySelectorAll(ICONS)) {
      icon.setAttribute("aria-hidden", "true");
    }
    // Streamlit's tooltip shows on hover only; link the same words to the button for screen readers.
    const reset = document.querySelector(".st-key-new-conversation button");
    if (reset && !reset.hasAttribute("aria-describedby") && document.getElementById("new-conversation-help")) {
      reset.setAttribute("aria-describedby", "new-conversation-help");
    }
  }

  function lostFocus() {
    const active = document.activeElement;
    return !active || active === document.body || !active.isConnected || active.disabled || active.matches(GIVES_FOCUS_BACK);
  }

  function afterRun() {
    if (focusAfterRun && sawRun) giveFocusBack();
    revealNewExchange();
  }

  function giveFocusBack() {
    focusAfterRun = false;
    sawRun = false;
    const input = document.querySelector(INPUT);
    if (input && lostFocus()) input.focus({ preventScroll: true });
  }

  function revealNewExchange() {
    const messages = document.querySelectorAll(`${CONVERSATION} ${MESSAGE}`);
    if (messages.length !== shownMessages) {
      shownMessages = messages.length;
      // Streamlit keeps a chat scrolled to its end. When the newest exchange is taller than the
      // window (200-400% zoom, a small embed), show its start instead: the header and the welcome
      // with its "not medical advice / emergency number" notice, or the patient's question and
      // the beginning of the reply.
      const main = document.getElementById("stMain");
      if (main && messages.length) {
        // Found again at every step: a fragment's rerun may replace the message elements.
        reveal(main, () => {
          const shown = document.querySelectorAll(`${CONVERSATION} ${MESSAGE}`);
          return shown.length === 1 ? main.querySelector(".st-key-brand-header") || shown[0] : shown[shown.length - 2];
        });
      }
    }
  }

  let userScrolled = false;
  let lastUserAction = 0;
  for (const type of ["wheel", "touchstart", "pointerdown", "keydown"]) {
    document.addEventListener(
      type,
      (event) => {
        if (event.isTrusted) {
          userScrolled = true;
          lastUserAction = Date.now();
        }
      },
      { capture: true, passive: true },
    );
  }

  function reveal(main, find) {
    // Streamlit's scroll-to-bottom keeps following the page while it settles (fonts, images). So
    // wait until the chat is at rest, then show the start; again if Streamlit moves it back, for
    // up to 4 s, unless the patient scrolls, clicks or types meanwhile. Never mid-animation, so the
    // chat does not jitter.
    userScrolled = false;
    const until = Date.now() + 4000;
    let placed = null;
    let last = main.scrollTop;
    let still = 0;
    const step = () => {
      const start = find();
      if (userScrolled || !start) return;
      still = Math.abs(main.scrollTop - last) < 1 ? still + 1 : 0;
      last = main.scrollTop;
      const top = start.getBoundingClientRect().top - main.getBoundingClientRect().top + main.scrollTop;
      const overflows = main.scrollHeight - top > main.clientHeight;
      const moved = placed === null || Math.abs(main.scrollTop - placed) > 2;
      if (overflows && moved && still >= 2) {
        // A wheel event is how Streamlit's scroll-to-bottom learns that someone else is scrolling
        // (the first stops any animation, the second stops it following the end of the chat).
        main.dispatchEvent(new WheelEvent("wheel"));
        main.dispatchEvent(new WheelEvent("wheel"));
        // Scroll the chat only (scrollIntoView would also move a portal page around its iframe).
        const margin = Number.parseFloat(getComputedStyle(start).scrollMarginTop) || 0;
        main.scrollTop += start.getBoundingClientRect().top - main.getBoundingClientRect().top - margin;
        placed = main.scrollTop;
        last = placed;
      }
      if (Date.now() < until) setTimeout(step, 80);
    };
    setTimeout(step, 80);
  }

  document.addEventListener(
    "click",
    (event) => {
      const button = event.target instanceof Element ? event.target.closest(GIVES_FOCUS_BACK) : null;
      if (button) {
        focusAfterRun = true;
        sawRun = false;
        giveFocusBackSoon(button);
      }
    },
    true,
  );

  function giveFocusBackSoon(button) {
    // A fragment's short run can start and end unseen by the observer (no "running" state in
    // any batch of changes), so afterRun would never hand focus back. So look every 100 ms, for
    // up to 10 s: once the pressed button has gone or turned disabled (its run is over) and no
    // run is going, give focus back if it fell off the page, once; a click or key of the
    // patient's own meanwhile ends it.
    const pressed = Date.now();
    const until = pressed + 10000;
    const look = () => {
      if (lastUserAction > pressed + 50 || !focusAfterRun) return;
      if (!running() && (!button.isConnected || button.disabled)) {
        giveFocusBack();
        return;
      }
      if (Date.now() < until) setTimeout(look, 100);
    };
    setTimeout(look, 100);
  }

  let wasRunning = false;
  new MutationObserver(() => {
    label();
    if (running()) {
      sawRun = true;
      wasRunning = true;
    } else if (wasRunning && app()) {
      wasRunning = false;
      afterRun();
    } else if (app()) {
      // A short run (a fragment's) can start and end within one batch of changes, unseen as
      // running: the new messages still count.
      revealNewExchange();
    }
  }).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ["data-test-script-state"] });
  label();
  // This script arrives with the first run, which may already be over: that run's page is new too.
  if (!running()) afterRun();
  else wasRunning = true;
})();
