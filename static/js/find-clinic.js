// "Use my location" on the booking page: asks the browser for the position
// only when the button is clicked, rounds it to about a kilometre, and sends
// the search form with it (lat, lon). Without JavaScript the button stays
// hidden and the search by town or postcode works as it is.
(() => {
  const form = document.querySelector("form[data-finder]");
  const button = form && form.querySelector("[data-finder-locate]");
  if (!button || !("geolocation" in navigator)) return;
  const status = form.querySelector("[data-finder-status]");
  const lat = form.querySelector("[data-finder-lat]");
  const lon = form.querySelector("[data-finder-lon]");
  const query = form.querySelector("input[name='q']");
  const round = (value) => (Math.round(value * 100) / 100).toFixed(2);
  button.hidden = false;
  button.addEventListener("click", () => {
    status.textContent = button.dataset.locating;
    button.disabled = true;
    navigator.geolocation.getCurrentPosition(
      (position) => {
        lat.value = round(position.coords.latitude);
        lon.value = round(position.coords.longitude);
        lat.disabled = false;
        lon.disabled = false;
        query.value = "";
        query.disabled = true; // a typed town would win over the location
        form.submit();
      },
      (error) => {
        button.disabled = false;
        status.textContent = error.code === error.PERMISSION_DENIED ? button.dataset.denied : button.dataset.failed;
      },
      {enableHighAccuracy: false, timeout: 15000, maximumAge: 600000},
    );
  });
})();
