// Korean or English, for both pages (the gateway serves this file to the
// open-data page too): the chosen language is remembered under storageKey, a
// label missing in it falls back to the fallback language's, and a button
// switches between the two.

export function languages(labels, { storageKey, fallback }) {
  let language = localStorage.getItem(storageKey) || "ko";
  const t = (key, ...args) => {
    const v = labels[language][key] ?? labels[fallback][key] ?? key;
    return typeof v === "function" ? v(...args) : v;
  };
  const currentLanguage = () => language;
  const setLanguage = (lang) => {
    language = lang;
    localStorage.setItem(storageKey, lang);
    document.documentElement.lang = lang;
    for (const el of document.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  };
  return { currentLanguage, setLanguage, t };
}

// Applies the remembered language and makes the button switch it; the button
// names the other language, and onSwitch redraws what the page writes itself.
export function languageButton(button, { currentLanguage, setLanguage }, onSwitch) {
  const label = () => { button.textContent = currentLanguage() === "ko" ? "English" : "한국어"; };
  setLanguage(currentLanguage());
  label();
  button.addEventListener("click", () => {
    setLanguage(currentLanguage() === "ko" ? "en" : "ko");
    label();
    onSwitch();
  });
}
